/**
 * This tab's miner: an on/off switch, the measured hash rate and the blocks
 * found. The switch shows the store's state (what the miner reports), not the
 * click, so it never claims mining that did not start.
 */
import { useId, useState } from 'react';
import { errorMessage, formatHashRate } from './format.ts';
import { usePanelRef, useTabmesh } from './use-tabmesh.ts';

/** Switches mining on or off; may return a promise, and may throw or reject with a message for the user. */
export type OnSetMining = (on: boolean) => void | Promise<void>;

export function MiningPanel({ onSetMining }: { onSetMining: OnSetMining | undefined }) {
  const panelRef = usePanelRef();
  const mining = useTabmesh((s) => s.mining);
  const labelId = useId();
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const toggle = async () => {
    if (!onSetMining || busy) return;
    setFailure(undefined);
    setBusy(true);
    try {
      await onSetMining(!mining.on);
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section ref={panelRef} className="panel panel-mining" aria-label="Mining">
      <h2>Mining</h2>
      <div className="switch-row">
        <button
          type="button"
          role="switch"
          aria-checked={mining.on}
          aria-labelledby={labelId}
          className="switch"
          disabled={!onSetMining}
          aria-busy={busy || undefined}
          onClick={() => void toggle()}
        >
          <span className="switch-thumb" aria-hidden="true" />
        </button>
        <span id={labelId} className="switch-label">
          Mining
        </span>
        <span className={`badge ${mining.on ? 'status-confirmed' : ''}`} aria-hidden="true">
          {mining.on ? 'on' : 'off'}
        </span>
      </div>
      {!onSetMining && <p className="hint">Mining is not available in this build.</p>}
      {failure && (
        <p className="field-error" role="alert">
          Could not switch mining: {failure}
        </p>
      )}
      <dl className="stats mining-stats">
        <div className="stat">
          <dt>Hash rate</dt>
          <dd data-hash-rate={mining.hashRate}>{mining.on ? formatHashRate(mining.hashRate) : '—'}</dd>
        </div>
        <div className="stat">
          <dt>Blocks found</dt>
          <dd data-blocks-found={mining.blocksFound}>{mining.blocksFound}</dd>
        </div>
      </dl>
    </section>
  );
}
