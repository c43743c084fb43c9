import { describe, expect, it } from 'vitest';
import { sampleTx } from './ledger-store.contract.ts';
import type { LedgerStore } from './ledger-store.ts';
import { createMemoryLedgerStore } from './memory-ledger-store.ts';
import { createTxHistoryWriter } from './tx-history-writer.ts';

/** A memory store that counts its batched calls, and a timer the test fires by hand. */
function setup(store: LedgerStore = createMemoryLedgerStore()) {
  const calls = { putTxs: [] as number[], markTxsDropped: [] as number[] };
  const counted: Pick<LedgerStore, 'putTxs' | 'markTxsDropped'> = {
    putTxs: (txs) => (calls.putTxs.push(txs.length), store.putTxs(txs)),
    markTxsDropped: (ids) => (calls.markTxsDropped.push(ids.length), store.markTxsDropped(ids)),
  };
  const timers: { fn: () => void; ms: number }[] = [];
  const errors: string[] = [];
  const writer = createTxHistoryWriter({
    store: counted,
    onError: (message, error) => errors.push(`${message}: ${String(error)}`),
    setTimer: (fn, ms) => timers.push({ fn, ms }),
  });
  return { store, writer, calls, timers, errors };
}

describe('transaction history writer', () => {
  it('writes everything queued within one flush window in one batch', async () => {
    const { store, writer, calls, timers } = setup();
    for (const n of [1, 2, 3]) writer.put(sampleTx(n));
    expect(timers).toHaveLength(1);
    expect(timers[0]!.ms).toBe(100);
    expect(await store.countTxs()).toBe(0);
    timers[0]!.fn();
    await writer.flush();
    expect(calls.putTxs).toEqual([3]);
    expect(await store.countTxs()).toBe(3);
    expect(writer.queued).toBe(0);
  });

  it('turns a queued pending record into a dropped one, and drops a written one in a batch of drops', async () => {
    const { store, writer, calls } = setup();
    writer.put(sampleTx(1));
    await writer.flush();
    writer.put(sampleTx(2));
    writer.drop(sampleTx(2).id);
    writer.drop(sampleTx(1).id);
    await writer.flush();
    expect(calls).toEqual({ putTxs: [1, 1], markTxsDropped: [1] });
    expect((await store.getTx(sampleTx(1).id))!.status).toBe('dropped');
    expect((await store.getTx(sampleTx(2).id))!.status).toBe('dropped');
  });

  it('never sets a transaction the block commit confirmed back to pending', async () => {
    const { store, writer } = setup();
    writer.put(sampleTx(4, { receivedAtMs: 10 }));
    // The block's commit lands first, with the history's record still queued.
    await store.putTx(sampleTx(4, { status: 'confirmed', height: 3, receivedAtMs: 50 }));
    await writer.flush();
    expect(await store.getTx(sampleTx(4).id)).toMatchObject({ status: 'confirmed', height: 3, receivedAtMs: 10 });
  });

  it('reports a failed batch to the page log and keeps writing later ones', async () => {
    const store = createMemoryLedgerStore();
    const { writer, errors } = setup(store);
    writer.put(sampleTx(1));
    store.close();
    await writer.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/could not store 1 transaction\(s\): .*closed/);
    writer.drop(sampleTx(1).id);
    await writer.flush();
    expect(errors).toHaveLength(2);
  });
});
