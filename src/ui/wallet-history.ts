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
 * `delta` is the change to this tab's balance: a sent transfer costs amount
 * plus fee; a transfer to itself costs the fee. Pending entries come first,
 * then the rest newest first, dropped ones included (a send that failed
 * should be seen, not vanish).
 */
export function walletHistory(txs: readonly TxView[], blocks: readonly BlockView[], selfId: string | undefined): HistoryEntry[] {
  if (!selfId) return [];
  const entries: HistoryEntry[] = [];
  for (const tx of txs) {
    const sent = tx.from === selfId;
    const received = tx.to === selfId;
    if (!sent && !received) continue;
    const kind = sent && received ? 'self' : sent ? 'sent' : 'received';
    const delta = kind === 'self' ? -tx.fee : sent ? -(tx.amount + tx.fee) : tx.amount;
    entries.push({ kind, key: `tx:${tx.id}`, tx, atMs: tx.receivedAtMs, status: tx.status, delta });
  }
  for (const block of blocks) {
    if (block.miner !== selfId) continue;
    entries.push({ kind: 'mined', key: `block:${block.hash}`, block, atMs: block.receivedAtMs, status: 'confirmed', delta: block.reward + block.fees });
  }
  const rank = (entry: HistoryEntry) => (entry.status === 'pending' ? 0 : 1);
  return entries.sort((a, b) => rank(a) - rank(b) || b.atMs - a.atMs);
}
