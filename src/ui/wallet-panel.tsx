/**
 * This tab's wallet: the confirmed balance, what pending sends will take from
 * it, the address to share (the `tm1…` form, with copy and a QR code), and
 * the tab's own history: transfers sent and received, pending and confirmed,
 * and rewards for blocks it mined. Pending sends can be bumped or cancelled.
 */
import { lazy, memo, Suspense, useMemo, useRef, useState } from 'react';
import { BURN_ACCOUNT } from '../core/address.ts';
import { CopyButton } from './copy-button.tsx';
import { accountAddress, formatTime, shortId } from './format.ts';
import type { TabmeshState } from './store.ts';
import { LIST_REDRAW_MS } from './txs-panel.tsx';
import { usePanelRef, useTabmesh, useTabmeshStore, useThrottledTabmesh } from './use-tabmesh.ts';
import { useVirtualRows } from './use-virtual-rows.ts';
import { walletHistory, type HistoryEntry } from './wallet-history.ts';
import { ReplaceControls, type WalletActions } from './wallet-replace.tsx';

const selectTxs = (s: TabmeshState) => s.txs;
/** The QR encoder loads only when someone asks for the code. */
const QrCode = lazy(() => import('./qr-code.tsx').then((module) => ({ default: module.QrCode })));
/** Up to this many entries the history renders whole; beyond, it is windowed. */
const WINDOW_ABOVE_ENTRIES = 60;
const ENTRY_PX = 42;

function describe(entry: HistoryEntry): string {
  switch (entry.kind) {
    case 'sent':
      return entry.tx.to === BURN_ACCOUNT ? 'Cancelled a transfer (burned)' : `Sent to ${shortId(entry.tx.to)}`;
    case 'received':
      return `Received from ${shortId(entry.tx.from)}`;
    case 'self':
      return 'Sent to yourself';
    case 'mined':
      return `Mined block #${entry.block.height}`;
  }
}

const HistoryItem = memo(function HistoryItem({ entry, actions }: { entry: HistoryEntry; actions: WalletActions | undefined }) {
  // Read at click time, not subscribed: see TxIdButton.
  const store = useTabmeshStore();
  const open = () => store.getState().showDetail(entry.kind === 'mined' ? { kind: 'block', hash: entry.block.hash } : { kind: 'tx', id: entry.tx.id });
  const status = entry.kind === 'mined' ? 'confirmed' : entry.status;
  return (
    <li className={`history-item history-${entry.kind}`} data-history-status={status} data-tx-id={entry.kind === 'mined' ? undefined : entry.tx.id}>
      <button type="button" className="history-open" aria-haspopup="dialog" onClick={open}>
        <span className="history-what">{describe(entry)}</span>
        <span className={`history-delta ${entry.delta >= 0 ? 'delta-in' : 'delta-out'}${status === 'dropped' ? ' status-dropped' : ''}`}>
          {entry.delta >= 0 ? '+' : '−'}
          {Math.abs(entry.delta)}
        </span>
        <span className="history-meta">
          <span className={`badge status-${status}`}>{status === 'confirmed' && entry.kind !== 'mined' && entry.tx.height !== undefined ? `#${entry.tx.height}` : status}</span>
          <time dateTime={new Date(entry.atMs).toISOString()}>{formatTime(entry.atMs)}</time>
        </span>
      </button>
      {actions && entry.kind === 'sent' && entry.status === 'pending' && <ReplaceControls tx={entry.tx} actions={actions} />}
    </li>
  );
});

function WalletHistory({ actions }: { actions: WalletActions | undefined }) {
  const txs = useThrottledTabmesh(selectTxs, LIST_REDRAW_MS);
  const blocks = useTabmesh((s) => s.blocks);
  const selfId = useTabmesh((s) => s.self?.id);
  const entries = useMemo(() => walletHistory(txs, blocks, selfId), [txs, blocks, selfId]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = useVirtualRows(entries.length, scrollRef, ENTRY_PX, WINDOW_ABOVE_ENTRIES);
  const pending = entries.filter((entry) => entry.status === 'pending').length;

  return (
    <>
      <h3>
        Your history{pending > 0 && <span className="muted"> · {pending} pending</span>}
      </h3>
      {entries.length === 0 && <p className="empty">Nothing yet: what you send, receive or mine shows here.</p>}
      {/* Kept mounted while empty: the list's virtualizer watches this scroller, and a new one forces a layout (use-virtual-rows.ts). */}
      <div className="history-scroll" ref={scrollRef} hidden={entries.length === 0}>
        <ol className="history" aria-label="Your history" style={{ paddingTop: rows.padStart, paddingBottom: rows.padEnd }}>
          {rows.indexes.map((index) => (
            <HistoryItem key={entries[index]!.key} entry={entries[index]!} actions={actions} />
          ))}
        </ol>
      </div>
    </>
  );
}


/** `actions` bump and cancel pending sends; without them the history only shows. */
export function WalletPanel({ actions }: { actions?: WalletActions }) {
  const panelRef = usePanelRef();
  const balance = useTabmesh((s) => s.balance);
  const pendingBalance = useTabmesh((s) => s.pendingBalance);
  const selfId = useTabmesh((s) => s.self?.id);
  const address = selfId === undefined ? undefined : accountAddress(selfId);
  const [showQr, setShowQr] = useState(false);
  const pendingOut = balance !== undefined && pendingBalance !== undefined ? balance - pendingBalance : 0;

  return (
    <section ref={panelRef} className="panel panel-wallet" aria-label="Wallet">
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
            <code className="address-value" data-address={address} data-account-id={selfId}>
              {address}
            </code>
            <span className="address-actions">
              <CopyButton text={address} label="Copy address" />
              <button type="button" className="button button-small" aria-label="QR code" aria-expanded={showQr} onClick={() => setShowQr((shown) => !shown)}>
                QR
              </button>
            </span>
          </div>
          {showQr && (
            <Suspense fallback={<p className="hint">Drawing the QR code…</p>}>
              {/* Upper case: QR's alphanumeric mode makes it a smaller code (29 modules, not 33), as BIP 173 advises; the address reads the same. */}
              <QrCode text={address.toUpperCase()} label="QR code of your address" />
            </Suspense>
          )}
        </div>
      )}
      <WalletHistory actions={actions} />
    </section>
  );
}
