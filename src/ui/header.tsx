/**
 * The page header: network, this tab's short peer id (the Wallet panel has it in full), its account switcher,
 * relay status (and each relay's), and peer count.
 */
import { AccountSwitcher } from './account-switcher.tsx';
import { shortId } from './format.ts';
import { RelayList } from './relay-list.tsx';
import { useTabmesh } from './use-tabmesh.ts';
import type { RelayStatus } from './view-models.ts';

const RELAY_LABEL: Record<RelayStatus, string> = {
  open: 'relay connected',
  connecting: 'relay connecting',
  closed: 'relay offline',
};

export function Header() {
  const self = useTabmesh((s) => s.self);
  const relay = useTabmesh((s) => s.relay);
  const failed = useTabmesh((s) => s.phase === 'failed');
  const peers = useTabmesh((s) => s.peers);
  const openPeers = Object.values(peers).filter((peer) => peer.state === 'open').length;

  return (
    <header className="header">
      <div className="brand">
        <img src="/favicon.svg" alt="" width={28} height={28} />
        <h1>tabmesh</h1>
        {self && <span className="network" title="Network">{self.network}</span>}
      </div>
      <div className="header-meta">
        {self && (
          <span className="self">
            <span className="muted">You</span>{' '}
            <code title={self.id} data-peer-id={self.id}>
              {shortId(self.id)}
            </code>
          </span>
        )}
        <AccountSwitcher />
        {/* A peer that failed to start has no relay or links; showing "connecting" would mislead. */}
        {!failed && (
          <>
            <span className={`badge relay-${relay}`} role="status">
              <span className="dot" aria-hidden="true" />
              {RELAY_LABEL[relay]}
            </span>
            <RelayList />
            <span className="badge" aria-live="polite">
              {openPeers} {openPeers === 1 ? 'peer' : 'peers'}
            </span>
          </>
        )}
      </div>
    </header>
  );
}
