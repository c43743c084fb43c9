/** Transactions waiting for a block, best fee rate first (the order the mempool gives). */
import { partyLabel } from './format.ts';
import type { TabmeshState } from './store.ts';
import { LIST_REDRAW_MS, TxIdButton } from './txs-panel.tsx';
import { useTabmesh, useThrottledTabmesh } from './use-tabmesh.ts';

const selectMempool = (s: TabmeshState) => s.mempool;

export function MempoolPanel() {
  const mempool = useThrottledTabmesh(selectMempool, LIST_REDRAW_MS);
  const total = useTabmesh((s) => s.mempoolTotal);
  const selfId = useTabmesh((s) => s.self?.id);

  return (
    <section className="panel panel-mempool" aria-label="Mempool">
      <h2>
        Mempool <span className="count" data-mempool-count={total}>{total}</span>
      </h2>
      {mempool.length === 0 ? (
        <p className="empty">No transactions waiting for a block.</p>
      ) : (
        <>
          <div className="table-scroll table-short">
            <table aria-label="Pending transactions">
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">From → To</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col" className="num">
                    Fee
                  </th>
                </tr>
              </thead>
              <tbody>
                {mempool.map((tx) => (
                  <tr key={tx.id} data-tx-id={tx.id}>
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
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {total > mempool.length && (
            <p className="hint table-note">
              Showing the {mempool.length} best-paying of {total}.
            </p>
          )}
        </>
      )}
    </section>
  );
}
