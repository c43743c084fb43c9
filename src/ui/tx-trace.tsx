/**
 * A transaction's trace across the network: when each peer first saw it and
 * from whom, as a timeline. Gathering it needs a diagnostic protocol message
 * (issue 6, item 2) that is not built yet. The hook is ready: app code passes
 * `onTraceTx` to AppView to start a trace, and pushes answers with
 * `setTrace`; this view renders whatever the store holds.
 */
import { useState } from 'react';
import { errorMessage, shortId } from './format.ts';
import { useTabmesh } from './use-tabmesh.ts';
import type { TxTraceView } from './view-models.ts';

/** Asks peers when they first saw transaction `txId`; results arrive through the store's setTrace. */
export type OnTraceTx = (txId: string) => void | Promise<void>;

/** Each hop's offset from the first sighting, and its share of the whole spread (for the bar). */
export function traceTimeline(trace: TxTraceView): { peer: string; from: string; offsetMs: number; share: number }[] {
  const first = trace.hops[0]?.firstSeenMs ?? 0;
  const spread = Math.max(1, (trace.hops.at(-1)?.firstSeenMs ?? first) - first);
  return trace.hops.map((hop) => ({ peer: hop.peer, from: hop.from, offsetMs: hop.firstSeenMs - first, share: (hop.firstSeenMs - first) / spread }));
}

function Timeline({ trace }: { trace: TxTraceView }) {
  const selfId = useTabmesh((s) => s.self?.id);
  const rows = traceTimeline(trace);
  if (rows.length === 0) return <p className="empty">{trace.done ? 'No peer answered.' : 'Waiting for answers…'}</p>;
  return (
    <ol className="trace" aria-label="Trace">
      {rows.map((row) => (
        <li key={row.peer}>
          <span className="trace-offset">+{Math.round(row.offsetMs)} ms</span>
          <span className="trace-bar" aria-hidden="true">
            <span style={{ width: `${Math.max(2, row.share * 100)}%` }} />
          </span>
          <span className="trace-hop">
            <code title={row.peer}>{row.peer === selfId ? 'you' : shortId(row.peer)}</code>
            {row.from === 'self' ? ' created it' : <> from <code title={row.from}>{row.from === selfId ? 'you' : shortId(row.from)}</code></>}
          </span>
        </li>
      ))}
      {!trace.done && <li className="muted">Waiting for more answers…</li>}
    </ol>
  );
}

export function TxTrace({ txId, onTraceTx }: { txId: string; onTraceTx: OnTraceTx | undefined }) {
  const trace = useTabmesh((s) => s.traces[txId]);
  const [failure, setFailure] = useState<string | undefined>();
  const start = async () => {
    if (!onTraceTx) return;
    setFailure(undefined);
    try {
      await onTraceTx(txId);
    } catch (error) {
      setFailure(errorMessage(error));
    }
  };
  return (
    <section className="detail-trace" aria-label="Propagation trace">
      <h3>Across the network</h3>
      {trace ? (
        <Timeline trace={trace} />
      ) : onTraceTx ? (
        <button type="button" className="button button-small" onClick={() => void start()}>
          Trace across the network
        </button>
      ) : (
        <p className="hint">This tab knows who it got the transaction from (above). A network-wide trace needs a protocol message this build does not have yet.</p>
      )}
      {failure && (
        <p className="field-error" role="alert">
          Could not start a trace: {failure}
        </p>
      )}
    </section>
  );
}
