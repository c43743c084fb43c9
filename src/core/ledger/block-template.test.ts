import { describe, expect, it } from 'vitest';
import { TX_BYTES, txId, type Tx } from '../tx.ts';
import type { PeerId } from '../types.ts';
import { decodeBlock, encodeBlock } from './block.ts';
import { BLOCK_OVERHEAD_BYTES, selectBlockTxs } from './block-template.ts';
import { createMempool, type AccountLookup } from './mempool.ts';
import { TEST_PARAMS } from './params.ts';
import { applyBlock } from './state.ts';
import type { Account, Block } from './types.ts';

const peer = (n: number): PeerId => n.toString(16).padStart(2, '0').repeat(32);
const SINK = peer(0xee);
const senders = [1, 2, 3].map(peer);
const state = new Map<PeerId, Account>(senders.map((id) => [id, { balance: 10_000, nonce: 0 }]));
const account: AccountLookup = (id) => state.get(id) ?? { balance: 0, nonce: 0 };

/** A pool holding 4 nonces from each of 3 senders, fees rising with sender and nonce. */
function filledPool() {
  const pool = createMempool({ params: TEST_PARAMS, clock: { nowMs: () => 0 } });
  for (const [s, from] of senders.entries()) {
    for (let nonce = 0; nonce < 4; nonce++) {
      const tx: Tx = { from, to: SINK, amount: 100, fee: 1 + s + nonce, nonce, signature: '00'.repeat(64) };
      expect(pool.add(tx, txId(tx), account).ok).toBe(true);
    }
  }
  return pool;
}

function asBlock(txs: Tx[]): Block {
  const header = { version: 1, prevHash: '00'.repeat(32), height: 1, timeMs: 0, target: 'ff'.repeat(32), merkleRoot: '00'.repeat(32), nonce: 0, miner: SINK };
  return { header, txs };
}

describe('selectBlockTxs', () => {
  it('fills a block the ledger accepts, reporting its fees and exact size', () => {
    const body = selectBlockTxs(filledPool(), account, TEST_PARAMS);
    expect(body.txs).toHaveLength(12);
    expect(body.ids).toEqual(body.txs.map(txId));
    expect(body.fees).toBe(body.txs.reduce((sum, tx) => sum + tx.fee, 0));
    const block = asBlock(body.txs);
    expect(encodeBlock(block).length).toBe(body.blockBytes);
    const applied = applyBlock({ get: (id) => state.get(id) }, block, TEST_PARAMS, { hash: '00'.repeat(32), prevStateHash: '' });
    expect(applied.ok && applied.value.fees).toBe(body.fees);
  });

  it('keeps within maxBlockTxs, maxBlockBytes and a smaller requested count', () => {
    const pool = filledPool();
    expect(selectBlockTxs(pool, account, { maxBlockTxs: 5, maxBlockBytes: 1_000_000 }).txs).toHaveLength(5);
    const tight = { maxBlockTxs: 100, maxBlockBytes: BLOCK_OVERHEAD_BYTES + 3 * TX_BYTES + TX_BYTES - 1 };
    const body = selectBlockTxs(pool, account, tight);
    expect(body.txs).toHaveLength(3);
    expect(body.blockBytes).toBeLessThanOrEqual(tight.maxBlockBytes);
    expect(decodeBlock(encodeBlock(asBlock(body.txs)), tight).ok).toBe(true);
    expect(selectBlockTxs(pool, account, TEST_PARAMS, { maxTxs: 2 }).txs).toHaveLength(2);
    expect(selectBlockTxs(pool, account, { maxBlockTxs: 1, maxBlockBytes: 1_000_000 }, { maxTxs: 9 }).txs).toHaveLength(1);
  });

  it('gives an empty body for an empty pool, and refuses impossible limits', () => {
    const empty = createMempool({ params: TEST_PARAMS, clock: { nowMs: () => 0 } });
    expect(selectBlockTxs(empty, account, TEST_PARAMS)).toEqual({ txs: [], ids: [], fees: 0, blockBytes: BLOCK_OVERHEAD_BYTES });
    expect(() => selectBlockTxs(empty, account, { maxBlockTxs: 10, maxBlockBytes: 100 })).toThrow(/maxBlockBytes/);
    expect(() => selectBlockTxs(empty, account, TEST_PARAMS, { maxTxs: -1 })).toThrow(/maxTxs/);
  });
});
