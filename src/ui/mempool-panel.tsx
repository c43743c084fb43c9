/**
 * Transactions waiting for a block, best fee rate first (the order the
 * mempool gives). Windowed once long and redrawn at most twice a second,
 * like the Transactions table.
 */
import { memo, useRef } from 'react';
import type { TabmeshState } from './store.ts';
import { LIST_REDRAW_MS, SpacerRow, TxCells, TxHeaderCells } from './txs-panel.tsx';
import { usePanelRef, useTabmesh, useThrottledTabmesh } from './use-tabmesh.ts';
import { useVirtualRows } from './use-virtual-rows.ts';
import type { TxView } from './view-models.ts';

const selectMempool = (s: TabmeshState) => s.mempool;
/** Up to this many rows the table renders whole; beyond, it is windowed. */
const WINDOW_ABOVE_ROWS = 60;
const ROW_PX = 37;
const COLUMNS = 4;

const MempoolRow = memo(function MempoolRow({ tx, selfId }: { tx: TxView; selfId: string | undefined }) {
  return (
    <tr data-tx-id={tx.id}>
      <TxCells tx={tx} selfId={selfId} />
    </tr>
  );
});

export function MempoolPanel() {
  const panelRef = usePanelRef();
  const mempool = useThrottledTabmesh(selectMempool, LIST_REDRAW_MS);
  const total = useTabmesh((s) => s.mempoolTotal);
  const selfId = useTabmesh((s) => s.self?.id);
  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = useVirtualRows(mempool.length, scrollRef, ROW_PX, WINDOW_ABOVE_ROWS);

  return (
    <section ref={panelRef} className="panel panel-mempool" aria-label="Mempool">
      <h2>
        Mempool <span className="count" data-mempool-count={total}>{total}</span>
      </h2>
      {mempool.length === 0 && <p className="empty">No transactions waiting for a block.</p>}
      {/* Kept mounted while empty: the list's virtualizer watches this scroller, and a new one forces a layout (use-virtual-rows.ts). */}
      <div className="table-scroll table-short" ref={scrollRef} hidden={mempool.length === 0}>
        <table aria-label="Pending transactions" aria-rowcount={mempool.length + 1}>
          <thead>
            <tr>
              <TxHeaderCells />
            </tr>
          </thead>
          <tbody>
            <SpacerRow heightPx={rows.padStart} columns={COLUMNS} />
            {rows.indexes.map((index) => (
              <MempoolRow key={mempool[index]!.id} tx={mempool[index]!} selfId={selfId} />
            ))}
            <SpacerRow heightPx={rows.padEnd} columns={COLUMNS} />
          </tbody>
        </table>
      </div>
      {total > mempool.length && (
        <p className="hint table-note">
          Showing the {mempool.length} best-paying of {total}.
        </p>
      )}
    </section>
  );
}
