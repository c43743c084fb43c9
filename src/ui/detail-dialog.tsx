/**
 * The detail view of a block or a transaction: a modal <dialog> (focus moves
 * into it, Escape closes it, focus returns to the row that opened it). What
 * it shows is the store's `detail`; showDetail and closeDetail drive it.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { CopyButton } from './copy-button.tsx';
import { accountAddress, formatAge, formatTime, partyLabel, shortHash, shortId } from './format.ts';
import { TxTrace, type OnTraceTx } from './tx-trace.tsx';
import { StatusBadge, TxIdButton } from './txs-panel.tsx';
import { useNow } from './use-now.ts';
import { useTabmesh } from './use-tabmesh.ts';
import type { BlockView, TxView } from './view-models.ts';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="detail-field">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A hash or id in full, with a copy button. */
function FullId({ value, copyLabel }: { value: string; copyLabel: string }) {
  return (
    <span className="detail-id">
      <code>{value}</code>
      <CopyButton text={value} label={copyLabel} />
    </span>
  );
}

/** An account in full, as its `tm1…` address (the hex id on hover), with "you" when it is this tab, and a copy button. */
function PeerValue({ id, selfId }: { id: string; selfId: string | undefined }) {
  const address = accountAddress(id);
  return (
    <span className="detail-id">
      <code title={id}>{address}</code>
      {id === selfId && <span className="badge">you</span>}
      <CopyButton text={address} label={`Copy ${shortId(id)}`} />
    </span>
  );
}

function BlockButton({ block, children }: { block: BlockView; children: ReactNode }) {
  const showDetail = useTabmesh((s) => s.showDetail);
  return (
    <button type="button" className="button button-small" onClick={() => showDetail({ kind: 'block', hash: block.hash })}>
      {children}
    </button>
  );
}

function BlockDetail({ hash, titleId }: { hash: string; titleId: string }) {
  const blocks = useTabmesh((s) => s.blocks);
  const txs = useTabmesh((s) => s.txs);
  const selfId = useTabmesh((s) => s.self?.id);
  const nowMs = useNow(1_000);
  const index = blocks.findIndex((block) => block.hash === hash);
  const block = blocks[index];
  if (!block) {
    return (
      <>
        <h2 id={titleId}>Block {shortHash(hash)}</h2>
        <p className="empty">This block is no longer among the recent blocks: a reorg replaced it, or newer blocks pushed it out.</p>
      </>
    );
  }
  const byId = new Map(txs.map((tx) => [tx.id, tx]));
  const blockTxs: (TxView | { id: string })[] = block.txIds
    ? block.txIds.map((id) => byId.get(id) ?? { id })
    : txs.filter((tx) => tx.status === 'confirmed' && tx.height === block.height);
  // Newer blocks come first in the list: the parent is the next entry, the child the previous.
  const parent = blocks[index + 1]?.height === block.height - 1 ? blocks[index + 1] : undefined;
  const child = index > 0 && blocks[index - 1]!.height === block.height + 1 ? blocks[index - 1] : undefined;
  return (
    <>
      <h2 id={titleId}>Block #{block.height}</h2>
      <dl className="detail-fields">
        <Field label="Hash">
          <FullId value={block.hash} copyLabel="Copy block hash" />
        </Field>
        <Field label="Height">{block.height}</Field>
        <Field label="Mined">
          {formatTime(block.timeMs)} <span className="muted">({formatAge(block.timeMs, nowMs)}, the miner's clock)</span>
        </Field>
        <Field label="Received">{formatTime(block.receivedAtMs)}</Field>
        <Field label="Miner">
          <PeerValue id={block.miner} selfId={selfId} />
        </Field>
        <Field label="Reward">
          {block.reward} + {block.fees} in fees
        </Field>
        <Field label="Transactions">{block.txCount}</Field>
      </dl>
      {blockTxs.length > 0 ? (
        <div className="table-scroll table-inner">
          <table aria-label="Block transactions">
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">From → To</th>
                <th scope="col" className="num">Amount</th>
                <th scope="col" className="num">Fee</th>
              </tr>
            </thead>
            <tbody>
              {blockTxs.map((tx) => (
                <tr key={tx.id}>
                  <td>
                    <TxIdButton id={tx.id} />
                  </td>
                  {'from' in tx ? (
                    <>
                      <td className="parties">
                        {partyLabel(tx.from, selfId)} → {partyLabel(tx.to, selfId)}
                      </td>
                      <td className="num">{tx.amount}</td>
                      <td className="num">{tx.fee}</td>
                    </>
                  ) : (
                    <td colSpan={3} className="muted">not in this tab's history</td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        block.txCount > 0 && <p className="hint">This tab's history holds none of the block's {block.txCount} transactions.</p>
      )}
      <nav className="detail-nav" aria-label="Neighbouring blocks">
        {parent && <BlockButton block={parent}>← Block #{parent.height}</BlockButton>}
        {child && <BlockButton block={child}>Block #{child.height} →</BlockButton>}
      </nav>
    </>
  );
}

function TxDetail({ id, titleId, onTraceTx }: { id: string; titleId: string; onTraceTx: OnTraceTx | undefined }) {
  const fromHistory = useTabmesh((s) => s.txs.find((tx) => tx.id === id));
  const fromMempool = useTabmesh((s) => s.mempool.find((tx) => tx.id === id));
  const selfId = useTabmesh((s) => s.self?.id);
  const blocks = useTabmesh((s) => s.blocks);
  const tx = fromHistory ?? fromMempool;
  if (!tx) {
    return (
      <>
        <h2 id={titleId}>Transaction {shortId(id)}</h2>
        <p className="empty">This tab no longer holds this transaction.</p>
      </>
    );
  }
  const block = tx.status === 'confirmed' ? blocks.find((entry) => entry.height === tx.height && (!entry.txIds || entry.txIds.includes(tx.id))) : undefined;
  return (
    <>
      <h2 id={titleId}>Transaction {shortId(tx.id)}</h2>
      <dl className="detail-fields">
        <Field label="Id">
          <FullId value={tx.id} copyLabel="Copy transaction id" />
        </Field>
        <Field label="Status">
          <StatusBadge tx={tx} />
        </Field>
        <Field label="Block">{block ? <BlockButton block={block}>Block #{block.height}</BlockButton> : tx.height !== undefined ? `#${tx.height}` : 'not yet in a block'}</Field>
        <Field label="From">
          <PeerValue id={tx.from} selfId={selfId} />
        </Field>
        <Field label="To">
          <PeerValue id={tx.to} selfId={selfId} />
        </Field>
        <Field label="Amount">{tx.amount}</Field>
        <Field label="Fee">{tx.fee}</Field>
        <Field label="Nonce">{tx.nonce}</Field>
        <Field label="Reached this tab">
          {formatTime(tx.receivedAtMs)}{' '}
          <span className="muted">{tx.source === 'self' ? '(created here)' : <>from <code title={tx.source}>{shortId(tx.source)}</code></>}</span>
        </Field>
      </dl>
      <TxTrace txId={tx.id} onTraceTx={onTraceTx} />
    </>
  );
}

export function DetailDialog({ onTraceTx }: { onTraceTx?: OnTraceTx }) {
  const detail = useTabmesh((s) => s.detail);
  const closeDetail = useTabmesh((s) => s.closeDetail);
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (detail && !dialog.open) dialog.showModal();
    if (!detail && dialog.open) dialog.close();
  }, [detail]);

  return (
    <dialog
      ref={ref}
      className="detail-dialog"
      aria-labelledby={titleId}
      onClose={closeDetail}
      // A click on the backdrop (the dialog element itself, outside its content) closes it.
      onClick={(event) => {
        if (event.target === event.currentTarget) event.currentTarget.close();
      }}
    >
      <div className="detail-body">
        <form method="dialog" className="detail-close">
          <button type="submit" className="button button-small" aria-label="Close details">
            Close
          </button>
        </form>
        {detail?.kind === 'block' && <BlockDetail key={detail.hash} hash={detail.hash} titleId={titleId} />}
        {detail?.kind === 'tx' && <TxDetail key={detail.id} id={detail.id} titleId={titleId} onTraceTx={onTraceTx} />}
      </div>
    </dialog>
  );
}
