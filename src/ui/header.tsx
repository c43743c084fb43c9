/** The page header: network, this tab's peer id, relay status and peer count. */
import { useEffect, useState } from 'react';
import { errorMessage, shortId } from './format.ts';
import { useTabmesh } from './use-tabmesh.ts';
import type { RelayStatus } from './view-models.ts';

const RELAY_LABEL: Record<RelayStatus, string> = {
  open: 'relay connected',
  connecting: 'relay connecting',
  closed: 'relay offline',
};

/** How long "Copied" stays on the button before it reads "Copy" again. */
const COPIED_FEEDBACK_MS = 1500;

function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'copied' } | { kind: 'failed'; message: string }>({ kind: 'idle' });
  useEffect(() => {
    if (state.kind !== 'copied') return;
    const timer = setTimeout(() => setState({ kind: 'idle' }), COPIED_FEEDBACK_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState({ kind: 'copied' });
    } catch (error) {
      setState({ kind: 'failed', message: errorMessage(error) });
    }
  };

  return (
    <>
      <button type="button" className="button button-small" aria-label="Copy peer id" onClick={() => void copy()}>
        {state.kind === 'copied' ? 'Copied' : 'Copy'}
      </button>
      {state.kind === 'failed' && (
        <span className="copy-error" role="alert">
          Copy failed: {state.message}
        </span>
      )}
    </>
  );
}

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
            </code>{' '}
            <CopyButton text={self.id} />
          </span>
        )}
        {/* A peer that failed to start has no relay or links; showing "connecting" would mislead. */}
        {!failed && (
          <>
            <span className={`badge relay-${relay}`} role="status">
              <span className="dot" aria-hidden="true" />
              {RELAY_LABEL[relay]}
            </span>
            <span className="badge" aria-live="polite">
              {openPeers} {openPeers === 1 ? 'peer' : 'peers'}
            </span>
          </>
        )}
      </div>
    </header>
  );
}
