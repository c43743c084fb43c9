/**
 * Every account on this tab's best chain with its confirmed balance: who
 * holds what, as this tab's ledger computes it. Every tab on the same tip
 * shows the same table, which is the point of a shared ledger. This tab and
 * the peers it is linked to are marked. Rows show the short hex id; the copy
 * button copies the `tm1…` address, which is what a person pastes into Send.
 */
import { memo } from 'react';
import { CopyButton } from './copy-button.tsx';
import { accountAddress, shortId } from './format.ts';
import { usePanelRef, useTabmesh } from './use-tabmesh.ts';
import type { AccountView } from './view-models.ts';

type Relation = 'this tab' | 'linked' | undefined;

const AccountRow = memo(function AccountRow({ account, relation }: { account: AccountView; relation: Relation }) {
  return (
    <tr data-account-id={account.id} className={relation === 'this tab' ? 'row-self' : undefined}>
      <td>
        <span className="id-cell">
          <code title={account.id}>{shortId(account.id)}</code>
          <CopyButton text={accountAddress(account.id)} label={`Copy address of ${shortId(account.id)}`} compact />
          {relation && <span className="badge">{relation}</span>}
        </span>
      </td>
      <td className="num">{account.balance}</td>
      <td className="num">{account.nonce}</td>
    </tr>
  );
});

export function BalancesPanel() {
  const panelRef = usePanelRef();
  const accounts = useTabmesh((s) => s.accounts);
  const total = useTabmesh((s) => s.accountsTotal);
  const selfId = useTabmesh((s) => s.self?.id);
  const peers = useTabmesh((s) => s.peers);
  const height = useTabmesh((s) => s.tip?.height);
  const relationOf = (id: string): Relation => (id === selfId ? 'this tab' : peers[id]?.state === 'open' ? 'linked' : undefined);

  return (
    <section ref={panelRef} className="panel panel-balances" aria-label="Balances">
      <h2>
        Balances <span className="count">{total}</span>
      </h2>
      {accounts.length === 0 ? (
        <p className="empty">No coins yet: every coin starts as a block reward. Mine a block to create some.</p>
      ) : (
        <div className="table-scroll">
          <table aria-label="Balances">
            <caption className="balances-caption">At the tip{height === undefined ? '' : `, block #${height}`}{total > accounts.length ? `; the ${accounts.length} largest of ${total} accounts` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col" className="num">
                  Balance
                </th>
                <th scope="col" className="num" title="Transactions this account has sent that the chain confirmed">
                  Sent
                </th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((account) => (
                <AccountRow key={account.id} account={account} relation={relationOf(account.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
