/** Transactions this tab has seen, newest first. */
import { formatTime, partyLabel, shortId } from './format.ts';
import { useTabmesh } from './use-tabmesh.ts';
import type { TxView } from './view-models.ts';

function StatusBadge({ tx }: { tx: TxView }) {
  if (tx.status === 'confirmed') {
    return <span className="badge status-confirmed">{tx.height === undefined ? 'confirmed' : `confirmed #${tx.height}`}</span>;
  }
  if (tx.status === 'dropped') return <span className="badge status-dropped" title="A conflicting transaction was confirmed instead">dropped</span>;
  return <span className="badge status-pending">pending</span>;
}

export function TxsPanel() {
  const txs = useTabmesh((s) => s.txs);
  const selfId = useTabmesh((s) => s.self?.id);

  return (
    <section className="panel panel-txs">
      <h2>
        Transactions <span className="count">{txs.length}</span>
      </h2>
      {txs.length === 0 ? (
        <p className="empty">No transactions yet. Send one, or wait for a peer to.</p>
      ) : (
        <div className="table-scroll">
          <table aria-label="Transactions">
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
                <th scope="col">Status</th>
                <th scope="col" className="col-time">
                  Received
                </th>
              </tr>
            </thead>
            <tbody>
              {txs.map((tx) => (
                <tr key={tx.id} data-tx-id={tx.id}>
                  <td>
                    <code title={tx.id}>{shortId(tx.id)}</code>
                  </td>
                  <td className="parties">
                    <span title={tx.from}>{partyLabel(tx.from, selfId)}</span>
                    <span aria-label="to"> → </span>
                    <span title={tx.to}>{partyLabel(tx.to, selfId)}</span>
                  </td>
                  <td className="num">{tx.amount}</td>
                  <td className="num">{tx.fee}</td>
                  <td>
                    <StatusBadge tx={tx} />
                  </td>
                  <td className="col-time">
                    <time dateTime={new Date(tx.receivedAtMs).toISOString()} title={tx.source === 'self' ? 'Created in this tab' : `Relayed by ${tx.source}`}>
                      {formatTime(tx.receivedAtMs)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
