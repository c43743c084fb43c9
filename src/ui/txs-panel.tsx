/**
 * Transactions this tab has seen, newest first. The table is windowed once it
 * is long, redraws at most twice a second (at 100 tx/s, redrawing per
 * transaction would be wasted work), and a row's id opens its detail view.
 */
import { memo, useRef } from 'react';
import { formatTime, partyLabel, shortId } from './format.ts';
import { usePanelRef, useTabmesh, useTabmeshStore, useThrottledTabmesh } from './use-tabmesh.ts';
import { useVirtualRows } from './use-virtual-rows.ts';
import type { TabmeshState } from './store.ts';
import type { TxView } from './view-models.ts';

/**
 * A live list redraws at most this often: twice a second still reads as live, and with 8 visible
 * tabs at 100 tx/s each redraw competes with the peer for its main thread (docs/PERFORMANCE.md).
 */
export const LIST_REDRAW_MS = 500;
/** Up to this many rows the table renders whole; beyond, it is windowed. */
const WINDOW_ABOVE_ROWS = 100;
const ROW_PX = 37;
const COLUMNS = 6;

const selectTxs = (s: TabmeshState) => s.txs;

export function StatusBadge({ tx }: { tx: TxView }) {
  if (tx.status === 'confirmed') {
    return <span className="badge status-confirmed">{tx.height === undefined ? 'confirmed' : `confirmed #${tx.height}`}</span>;
  }
  if (tx.status === 'dropped') return <span className="badge status-dropped" title="Left the mempool unconfirmed: replaced by a higher fee (a bump or cancel), made invalid by a confirmed conflict, evicted or expired">dropped</span>;
  return <span className="badge status-pending">pending</span>;
}

/**
 * A transaction's id as a button that opens its detail view; the code keeps the full id as its title.
 * It reads the store only when clicked: a subscription per row made every visible row of every list
 * run a selector at each view refresh.
 */
export function TxIdButton({ id }: { id: string }) {
  const store = useTabmeshStore();
  return (
    <button type="button" className="link-button" aria-label={`Details of transaction ${shortId(id)}`} aria-haspopup="dialog" onClick={() => store.getState().showDetail({ kind: 'tx', id })}>
      <code title={id}>{shortId(id)}</code>
    </button>
  );
}

/** The cells a transaction row shares with the mempool's: id, sender → recipient, amount, fee. */
export function TxCells({ tx, selfId }: { tx: TxView; selfId: string | undefined }) {
  return (
    <>
      <td>
        <TxIdButton id={tx.id} />
      </td>
      <td className="parties">
        <span title={tx.from}>{partyLabel(tx.from, selfId)}</span>
        <span aria-label="to"> → </span>
        <span title={tx.to}>{partyLabel(tx.to, selfId)}</span>
      </td>
      <td className="num">{tx.amount}</td>
      <td className="num">{tx.fee}</td>
    </>
  );
}

/** The header cells over TxCells. */
export function TxHeaderCells() {
  return (
    <>
      <th scope="col">Id</th>
      <th scope="col">From → To</th>
      <th scope="col" className="num">
        Amount
      </th>
      <th scope="col" className="num">
        Fee
      </th>
    </>
  );
}

/**
 * A row's cells, memoised on the transaction alone. The row's position
 * (aria-rowindex) changes for every row whenever a transaction arrives at the
 * top, so it stays on the <tr>: a redraw then updates one attribute per row
 * instead of rendering every visible row's cells again.
 */
const TxRowCells = memo(function TxRowCells({ tx, selfId }: { tx: TxView; selfId: string | undefined }) {
  return (
    <>
      <TxCells tx={tx} selfId={selfId} />
      <td>
        <StatusBadge tx={tx} />
      </td>
      <td className="col-time">
        <time dateTime={new Date(tx.receivedAtMs).toISOString()} title={tx.source === 'self' ? 'Created in this tab' : `Relayed by ${tx.source}`}>
          {formatTime(tx.receivedAtMs)}
        </time>
      </td>
    </>
  );
});

/** A spacer standing in for rows outside the window; hidden from assistive technology and row counts. */
export function SpacerRow({ heightPx, columns }: { heightPx: number; columns: number }) {
  if (heightPx <= 0) return null;
  return (
    <tr aria-hidden="true" className="spacer-row">
      <td colSpan={columns} style={{ height: heightPx }} />
    </tr>
  );
}

export function TxsPanel() {
  const panelRef = usePanelRef();
  const txs = useThrottledTabmesh(selectTxs, LIST_REDRAW_MS);
  const selfId = useTabmesh((s) => s.self?.id);
  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = useVirtualRows(txs.length, scrollRef, ROW_PX, WINDOW_ABOVE_ROWS);

  return (
    <section ref={panelRef} className="panel panel-txs" aria-label="Transactions">
      <h2>
        Transactions <span className="count">{txs.length}</span>
      </h2>
      {txs.length === 0 && <p className="empty">No transactions yet. Send one, or wait for a peer to.</p>}
      {/* Kept mounted while empty: the list's virtualizer watches this scroller, and a new one forces a layout (use-virtual-rows.ts). */}
      <div className="table-scroll" ref={scrollRef} hidden={txs.length === 0}>
        <table aria-label="Transactions" aria-rowcount={txs.length + 1}>
          <thead>
            <tr aria-rowindex={1}>
              <TxHeaderCells />
              <th scope="col">Status</th>
              <th scope="col" className="col-time">
                Received
              </th>
            </tr>
          </thead>
          <tbody>
            <SpacerRow heightPx={rows.padStart} columns={COLUMNS} />
            {rows.indexes.map((index) => {
              const tx = txs[index]!;
              return (
                <tr key={tx.id} data-tx-id={tx.id} aria-rowindex={index + 2}>
                  <TxRowCells tx={tx} selfId={selfId} />
                </tr>
              );
            })}
            <SpacerRow heightPx={rows.padEnd} columns={COLUMNS} />
          </tbody>
        </table>
      </div>
    </section>
  );
}
