/** This tab's wallet: the confirmed balance, what pending sends will take from it, and the address to share. */
import { CopyButton } from './copy-button.tsx';
import { useTabmesh } from './use-tabmesh.ts';

export function WalletPanel() {
  const balance = useTabmesh((s) => s.balance);
  const pendingBalance = useTabmesh((s) => s.pendingBalance);
  const address = useTabmesh((s) => s.self?.id);
  const pendingOut = balance !== undefined && pendingBalance !== undefined ? balance - pendingBalance : 0;

  return (
    <section className="panel panel-wallet" aria-label="Wallet">
      <h2>Wallet</h2>
      <div className="balance-row">
        {/* An output, so it has a name; not a live region, since mining would make it chatter. */}
        <output className={`balance${balance === undefined ? ' balance-unknown' : ''}`} aria-label="Balance" aria-live="off" data-balance={balance}>
          {balance ?? '—'}
        </output>
        <span className="muted">coins{balance === undefined ? ' (loading the chain…)' : ' confirmed'}</span>
      </div>
      {pendingOut > 0 && (
        <p className="pending-out" data-pending-balance={pendingBalance}>
          <span className="badge status-pending">pending</span> −{pendingOut} outgoing, {pendingBalance} available
        </p>
      )}
      {address && (
        <div className="address">
          <span className="address-label">Your address</span>
          <div className="address-row">
            <code className="address-value" data-address={address}>
              {address}
            </code>
            <CopyButton text={address} label="Copy address" />
          </div>
        </div>
      )}
    </section>
  );
}
