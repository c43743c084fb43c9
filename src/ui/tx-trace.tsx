/**
 * A transaction's trace across the network: when each tab first had it and
 * from whom, as a timeline measured from the first sighting. `onTraceTx`
 * starts a trace (the TRACE_REQUEST diagnostic, docs/PROTOCOL.md
 * "Transaction trace"); app/trace-wiring.ts pushes the answers with
 * `setTrace` as they arrive, and this view renders whatever the store holds.
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

/** "+37 ms", or "+21.5 s" once past a second, so the column stays narrow. */
export function formatOffset(offsetMs: number): string {
  return offsetMs < 1_000 ? `+${Math.round(offsetMs)} ms` : `+${(offsetMs / 1_000).toFixed(offsetMs < 10_000 ? 2 : 1)} s`;
}

/** The timeline's rows with each hop's catch-up flag (hops and rows share their order). */
const withCatchUp = (trace: TxTraceView) => traceTimeline(trace).map((row, index) => ({ ...row, catchUp: trace.hops[index]?.catchUp === true }));

const plural = (count: number, word: string) => `${count} ${count === 1 ? word : `${word}s`}`;

/** "4 tabs had it within 37 ms of the first sighting; 1 more got it later, when it linked": the line a person reads first. */
export function traceSummary(trace: TxTraceView): string {
  const rows = withCatchUp(trace);
  if (rows.length === 0) return trace.done ? 'No tab answered: none that this trace reached has announced it.' : 'Asking the network…';
  const gossip = rows.filter((row) => !row.catchUp);
  const caughtUp = rows.length - gossip.length;
  const prefix = trace.done ? '' : 'So far: ';
  const spread = gossip.length > 0 ? Math.round(gossip.at(-1)!.offsetMs) : 0;
  const main = gossip.length > 0 ? `${prefix}${plural(gossip.length, 'tab')} had it within ${spread} ms of the first sighting` : `${prefix}no tab had it by gossip`;
  return `${main}${caughtUp > 0 ? `; ${caughtUp} more got it later, when ${caughtUp === 1 ? 'it' : 'they'} linked` : ''}.`;
}

const who = (id: string, selfId: string | undefined) => (id === selfId ? 'you' : shortId(id));

function Timeline({ trace }: { trace: TxTraceView }) {
  const selfId = useTabmesh((s) => s.self?.id);
  const rows = withCatchUp(trace);
  if (rows.length === 0) return null;
  return (
    <ol className="trace" aria-label="Trace timeline">
      {rows.map((row) => (
        <li key={row.peer} className={row.catchUp ? 'trace-catch-up' : undefined}
          aria-label={`${who(row.peer, selfId)} at ${formatOffset(row.offsetMs)}, ${row.from === 'self' ? 'created it' : `from ${who(row.from, selfId)}${row.catchUp ? ' when they linked' : ''}`}`}>
          <span className="trace-offset">{formatOffset(row.offsetMs)}</span>
          <span className="trace-bar" aria-hidden="true">
            <span style={{ width: `${Math.max(2, row.share * 100)}%` }} />
          </span>
          <span className="trace-hop">
            <code title={row.peer}>{who(row.peer, selfId)}</code>
            {row.from === 'self' ? <span className="muted"> created it</span> : <span className="muted"> from <code title={row.from}>{who(row.from, selfId)}</code>{row.catchUp && ' on linking'}</span>}
          </span>
        </li>
      ))}
    </ol>
  );
}

export function TxTrace({ txId, onTraceTx }: { txId: string; onTraceTx: OnTraceTx | undefined }) {
  const trace = useTabmesh((s) => s.traces[txId]);
  const [failure, setFailure] = useState<string | undefined>();
  const running = trace !== undefined && !trace.done;
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
      {onTraceTx ? (
        <p className="hint">
          Asks every tab within 6 links when it first had this transaction and from whom. Times are each tab&apos;s own clock; tabs on one computer share it.
        </p>
      ) : (
        <p className="hint">This tab knows who it got the transaction from (above). A network-wide trace is not available in this build.</p>
      )}
      {trace && (
        <p className="trace-summary" role="status">
          {traceSummary(trace)}
        </p>
      )}
      {trace && <Timeline trace={trace} />}
      {onTraceTx && (
        <button type="button" className="button button-small" onClick={() => void start()} disabled={running}>
          {running ? 'Tracing…' : trace ? 'Trace again' : 'Trace across the network'}
        </button>
      )}
      {failure && (
        <p className="field-error" role="alert">
          Could not trace: {failure}
        </p>
      )}
    </section>
  );
}
