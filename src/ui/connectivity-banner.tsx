/**
 * A page-wide notice when this tab cannot reach the network: the relay is
 * down (new tabs cannot find it), or it is up but no link has opened yet.
 * Nothing shows while all is well.
 */
import { useEffect, useState } from 'react';
import { useTabmesh } from './use-tabmesh.ts';

/** Links take a second or three to open; before this, "no peers" would only be noise. */
const NO_PEERS_GRACE_MS = 4_000;

export function ConnectivityBanner() {
  const relay = useTabmesh((s) => s.relay);
  const linked = useTabmesh((s) => Object.values(s.peers).some((peer) => peer.state === 'open'));
  const [graceOver, setGraceOver] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setGraceOver(true), NO_PEERS_GRACE_MS);
    return () => clearTimeout(timer);
  }, []);

  if (relay === 'closed') {
    return (
      <div className="banner banner-error" role="status" data-connectivity="relay-down">
        <strong>Cannot reach the relay.</strong>{' '}
        {linked
          ? 'Open links keep working and gossip flows through them, but new tabs cannot find this one until the relay is back.'
          : 'This tab cannot find any peer until the relay is back. It retries on its own.'}
      </div>
    );
  }
  if (!linked && relay === 'open' && graceOver) {
    return (
      <div className="banner banner-info" role="status" data-connectivity="no-peers">
        <strong>No peers yet.</strong> Open this page in another tab or browser (same address) to grow the network; they find each other through the relay.
      </div>
    );
  }
  return null;
}
