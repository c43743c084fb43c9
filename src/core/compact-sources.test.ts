import { describe, expect, it } from 'vitest';
import { testSigner } from '../../test/helpers/test-keys.ts';
import { shortTxId } from './frames.ts';
import type { Block } from './ledger/types.ts';
import { createCompactSources } from './compact-sources.ts';
import { signTx, txId, type Tx } from './tx.ts';

async function txs(count: number): Promise<Tx[]> {
  const signer = await testSigner(1);
  const to = (await testSigner(2)).peerId;
  return Promise.all(Array.from({ length: count }, (_, nonce) => signTx('test-sources', { from: signer.peerId, to, amount: 1, fee: 1, nonce }, signer)));
}
const blockOf = (list: Tx[]) => ({ header: {}, txs: list }) as unknown as Block;
const key = (tx: Tx) => shortTxId(txId(tx));

describe('compact-block sources', () => {
  it('finds pooled, held and recently confirmed transactions by short id, the pooled first', async () => {
    const [pooled, held, confirmed] = await txs(3);
    const sources = createCompactSources({ pooled: () => [{ id: txId(pooled!), tx: pooled! }], held: () => [{ id: txId(held!), tx: held! }] });
    sources.remember(blockOf([confirmed!, pooled!]));
    const found = sources.byShortId();
    expect(found.get(key(pooled!))).toBe(pooled);
    expect(found.get(key(held!))).toBe(held);
    expect(found.get(key(confirmed!))).toBe(confirmed);
    expect(found.size).toBe(3);
  });

  it('marks a short id two pooled or held transactions share as unknown (null)', async () => {
    const [tx] = await txs(1);
    const sources = createCompactSources({ pooled: () => [{ id: txId(tx!), tx: tx! }], held: () => [{ id: txId(tx!), tx: tx! }] });
    expect(sources.byShortId().get(key(tx!))).toBeNull();
  });

  it('forgets the oldest block transactions beyond its bound', async () => {
    const list = await txs(5);
    const sources = createCompactSources({ pooled: () => [] }, 3);
    sources.remember(blockOf(list.slice(0, 3)));
    sources.remember(blockOf(list.slice(3)));
    expect([...sources.byShortId().keys()]).toEqual(list.slice(2).map(key));
  });
});
