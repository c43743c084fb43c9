/**
 * This tab's own history: transfers it sent or received, and rewards for the
 * blocks it mined, merged newest first with pending entries on top. Pure, so
 * the wallet panel just renders it.
 */
import type { BlockView, TxStatus, TxView } from './view-models.ts';

export type HistoryEntry =
  | { kind: 'sent' | 'received' | 'self'; key: string; tx: TxView; atMs: number; status: TxStatus; delta: number }
  | { kind: 'mined'; key: string; block: BlockView; atMs: number; status: 'confirmed'; delta: number };

/**
 * Entries already made, by the view they came from: views are replaced, not
 * changed, when a transaction's status moves, so the same view always gives
 * the same entry. Handing out the same entry object lets the panel's memoised
 * rows skip re-rendering at each of its redraws (four a second at 100 tx/s).
 */
const madeFrom = new WeakMap<TxView | BlockView, { selfId: string; entry: HistoryEntry }>();

function remembered(view: TxView | BlockView, selfId: string, make: () => HistoryEntry | undefined): HistoryEntry | undefined {
  const known = madeFrom.get(view);
  if (known?.selfId === selfId) return known.entry;
  const entry = make();
  if (entry) madeFrom.set(view, { selfId, entry });
  return entry;
}

function txEntry(tx: TxView, selfId: string): HistoryEntry | undefined {
  const sent = tx.from === selfId;
  const received = tx.to === selfId;
  if (!sent && !received) return undefined;
  const kind = sent && received ? 'self' : sent ? 'sent' : 'received';
  const delta = kind === 'self' ? -tx.fee : sent ? -(tx.amount + tx.fee) : tx.amount;
  return { kind, key: `tx:${tx.id}`, tx, atMs: tx.receivedAtMs, status: tx.status, delta };
}

/**
 * `delta` is the change to this tab's balance: a sent transfer costs amount
 * plus fee; a transfer to itself costs the fee. Pending entries come first,
 * then the rest newest first, dropped ones included (a send that failed
 * should be seen, not vanish).
 */
export function walletHistory(txs: readonly TxView[], blocks: readonly BlockView[], selfId: string | undefined): HistoryEntry[] {
  if (!selfId) return [];
  const entries: HistoryEntry[] = [];
  for (const tx of txs) {
    if (tx.from !== selfId && tx.to !== selfId) continue;
    entries.push(remembered(tx, selfId, () => txEntry(tx, selfId))!);
  }
  for (const block of blocks) {
    if (block.miner !== selfId) continue;
    entries.push(remembered(block, selfId, () => ({ kind: 'mined', key: `block:${block.hash}`, block, atMs: block.receivedAtMs, status: 'confirmed', delta: block.reward + block.fees }))!);
  }
  const rank = (entry: HistoryEntry) => (entry.status === 'pending' ? 0 : 1);
  return entries.sort((a, b) => rank(a) - rank(b) || b.atMs - a.atMs);
}
