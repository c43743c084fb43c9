/**
 * Where a compact block's transactions are looked up by short id
 * (docs/PROTOCOL.md, "Blocks"): the mempool; verified transactions held for
 * an earlier nonce of their sender; and the transactions of the blocks
 * handled last, for a competing block at the same height, whose transactions
 * left the mempool when the first one connected (Bitcoin Core keeps such
 * "extra" transactions for compact blocks too).
 */
import { shortTxId } from './frames.ts';
import type { Block } from './ledger/types.ts';
import { txId, type Tx } from './tx.ts';

/**
 * Block transactions remembered: two full blocks' worth. Measured with 8 tabs mining in turn, forks
 * made most of the compact-block misses, each downloading nearly its whole block again
 * (docs/PERFORMANCE.md, "Compact blocks").
 */
export const MAX_RECENT_BLOCK_TXS = 4_000;

export interface CompactSourcesInit {
  /** The mempool's transactions with their ids. */
  pooled(): Iterable<{ id: string; tx: Tx }>;
  /** Verified transactions the mempool could not take yet. */
  held?(): Iterable<{ id: string; tx: Tx }>;
}

export function createCompactSources(init: CompactSourcesInit, maxRecent = MAX_RECENT_BLOCK_TXS) {
  /** Short id → transaction, oldest first. */
  const recent = new Map<string, Tx>();

  return {
    /** Remembers the transactions of a block this node accepted. */
    remember(block: Block): void {
      for (const tx of block.txs) {
        const key = shortTxId(txId(tx));
        recent.delete(key);
        recent.set(key, tx);
      }
      for (const key of recent.keys()) {
        if (recent.size <= maxRecent) break;
        recent.delete(key);
      }
    },

    /**
     * Every transaction known by short id, pooled and held first. A short id two of those share maps
     * to null: the slot is treated as missing rather than guessed.
     */
    byShortId(): Map<string, Tx | null> {
      const found = new Map<string, Tx | null>();
      for (const entry of [...init.pooled(), ...(init.held?.() ?? [])]) {
        const key = shortTxId(entry.id);
        found.set(key, found.has(key) ? null : entry.tx);
      }
      for (const [key, tx] of recent) if (!found.has(key)) found.set(key, tx);
      return found;
    },
  };
}
