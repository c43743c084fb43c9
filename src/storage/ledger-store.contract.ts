/**
 * The LedgerStore contract: one suite that every implementation must pass
 * (js-libp2p's interface-compliance-tests pattern). The cases are plain
 * functions with their own assertions (contract-expect.ts), so the same list
 * runs in two places:
 * - ledger-store.test.ts registers each as a vitest test, against the memory
 *   store and against IndexedDB via fake-indexeddb;
 * - e2e/store-contract.spec.ts bundles them (e2e/store-contract/runner.ts)
 *   and runs them against Chromium's real IndexedDB, checking that it ran
 *   exactly the cases listed here.
 * The ChainStore cases live in chain-store.contract.ts and come first.
 */
import { InvalidArgumentError } from '../core/result.ts';
import { chainStoreContractCases } from './chain-store.contract.ts';
import { expect, rejection, storeCase, type StoreContractCase } from './contract-expect.ts';
import { StorageError, type StoredTx } from './ledger-store.ts';

export type { StoreContractCase } from './contract-expect.ts';

const PEER = 'ab'.repeat(32);

/** A transaction record whose id is derived from `n`, and whose bytes cover every byte value. */
export function sampleTx(n: number, overrides: Partial<StoredTx> = {}): StoredTx {
  const bytes = new Uint8Array(256 + n);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i + n) & 0xff;
  return { id: n.toString(16).padStart(64, '0'), bytes, receivedAtMs: 1_700_000_000_000 + n * 1000, status: 'pending', source: PEER, ...overrides };
}

/**
 * Every contract case, in order; each gets its own fresh store from `open` and
 * closes it. Call once per implementation (the chain fixtures are per call).
 */
export function ledgerStoreContractCases(): StoreContractCase[] {
  return [
    ...chainStoreContractCases(),
    storeCase('round-trips a transaction, preserving its bytes exactly', async (store) => {
      const tx = sampleTx(1, { source: 'self' });
      await store.putTx(tx);
      const got = await store.getTx(tx.id);
      expect(got).toEqual(tx);
      expect(got!.bytes).toBeInstanceOf(Uint8Array);
      expect(Array.from(got!.bytes)).toEqual(Array.from(tx.bytes));
      expect('height' in got!).toBe(false);
    }),
    storeCase('stores only the viewed bytes of a subarray, not its whole buffer', async (store) => {
      const frame = new Uint8Array(1000).map((_, i) => i & 0xff);
      const tx = sampleTx(2, { bytes: frame.subarray(100, 253) });
      await store.putTx(tx);
      const got = (await store.getTx(tx.id))!;
      expect(Array.from(got.bytes)).toEqual(Array.from(frame.subarray(100, 253)));
      expect(got.bytes.byteOffset).toBe(0);
      expect(got.bytes.buffer.byteLength).toBe(153);
    }),
    storeCase('returns undefined for missing records', async (store) => {
      expect(await store.getTx(sampleTx(9).id)).toBeUndefined();
      expect(await store.getMeta('nothing-here')).toBeUndefined();
    }),
    storeCase('replaces a transaction by id (pending, then confirmed at a height)', async (store) => {
      await store.putTx(sampleTx(3));
      await store.putTx(sampleTx(3, { status: 'confirmed', height: 42 }));
      expect(await store.getTx(sampleTx(3).id)).toMatchObject({ status: 'confirmed', height: 42 });
      expect(await store.countTxs()).toBe(1);
    }),
    storeCase('putTxs writes a batch, a later record for an id replacing an earlier one', async (store) => {
      await store.putTx(sampleTx(1, { receivedAtMs: 1 }));
      await store.putTxs([sampleTx(1, { receivedAtMs: 2 }), sampleTx(2), sampleTx(3, { status: 'dropped' }), sampleTx(2, { source: 'self' })]);
      expect(await store.countTxs()).toBe(3);
      expect(await store.getTx(sampleTx(1).id)).toEqual(sampleTx(1, { receivedAtMs: 2 }));
      expect(await store.getTx(sampleTx(2).id)).toEqual(sampleTx(2, { source: 'self' }));
      expect((await store.getTx(sampleTx(3).id))!.status).toBe('dropped');
      await store.putTxs([]);
      expect(await store.countTxs()).toBe(3);
    }),
    storeCase('putTxs never sets a confirmed record back, but takes the arrival and source of a late pending write', async (store) => {
      await store.putTx(sampleTx(4, { status: 'confirmed', height: 7, receivedAtMs: 9_000, source: 'cd'.repeat(32) }));
      await store.putTx(sampleTx(5, { status: 'confirmed', height: 8 }));
      await store.putTxs([sampleTx(4, { receivedAtMs: 8_000, source: 'self' }), sampleTx(5, { status: 'dropped' }), sampleTx(6, { status: 'confirmed', height: 2 })]);
      expect(await store.getTx(sampleTx(4).id)).toEqual(sampleTx(4, { status: 'confirmed', height: 7, receivedAtMs: 8_000, source: 'self' }));
      expect(await store.getTx(sampleTx(5).id)).toMatchObject({ status: 'confirmed', height: 8 });
      expect(await store.getTx(sampleTx(6).id)).toMatchObject({ status: 'confirmed', height: 2 });
      // A confirmed record still replaces a confirmed one (a reorg moved it).
      await store.putTxs([sampleTx(6, { status: 'confirmed', height: 3 })]);
      expect(await store.getTx(sampleTx(6).id)).toMatchObject({ status: 'confirmed', height: 3 });
    }),
    storeCase('markTxsDropped drops pending records only, in one call', async (store) => {
      await store.putTxs([sampleTx(1), sampleTx(2, { status: 'confirmed', height: 4 }), sampleTx(3)]);
      await store.markTxsDropped([sampleTx(1).id, sampleTx(2).id, sampleTx(9).id]);
      expect((await store.getTx(sampleTx(1).id))!.status).toBe('dropped');
      expect(await store.getTx(sampleTx(2).id)).toMatchObject({ status: 'confirmed', height: 4 });
      expect((await store.getTx(sampleTx(3).id))!.status).toBe('pending');
      expect(await store.getTx(sampleTx(9).id)).toBeUndefined();
      expect(await store.countTxs()).toBe(3);
      await store.markTxsDropped([]);
    }),
    storeCase('putTxs checks every record before writing any', async (store) => {
      const error = await rejection(store.putTxs([sampleTx(1), sampleTx(2, { id: 'not-hex' })]));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(/tx\.id/);
      expect(await store.countTxs()).toBe(0);
      expect(await rejection(store.markTxsDropped(['ABC']))).toBeInstanceOf(InvalidArgumentError);
    }),
    storeCase('counts transactions', async (store) => {
      expect(await store.countTxs()).toBe(0);
      for (const n of [1, 2, 3]) await store.putTx(sampleTx(n));
      await store.putTx(sampleTx(2, { status: 'confirmed', height: 1 }));
      expect(await store.countTxs()).toBe(3);
    }),
    storeCase('lists recent transactions newest first, ties by id descending, up to the limit', async (store) => {
      const times: [number, number][] = [
        [5, 300],
        [1, 100],
        [4, 500],
        [2, 300],
        [3, 200],
        [6, 300],
      ];
      for (const [n, ms] of times) await store.putTx(sampleTx(n, { receivedAtMs: ms }));
      const order = async (limit: number) => (await store.listRecentTxs(limit)).map((tx) => Number.parseInt(tx.id, 16));
      expect(await order(10)).toEqual([4, 6, 5, 2, 3, 1]);
      expect(await order(3)).toEqual([4, 6, 5]);
      expect(await order(0)).toEqual([]);
      // Replacing with a new time moves the record.
      await store.putTx(sampleTx(1, { receivedAtMs: 900 }));
      expect(await order(2)).toEqual([1, 4]);
      expect(await store.countTxs()).toBe(6);
    }),
    storeCase('hands out copies: mutating inputs or results does not change what is stored', async (store) => {
      const tx = sampleTx(7);
      await store.putTx(tx);
      tx.bytes[0] = 0xee;
      tx.status = 'confirmed';
      const got = (await store.getTx(tx.id))!;
      expect(got.bytes[0]).toBe(7);
      got.bytes[1] = 0xee;
      const [listed] = await store.listRecentTxs(1);
      listed!.bytes[2] = 0xee;
      expect(Array.from((await store.getTx(tx.id))!.bytes.subarray(0, 3))).toEqual([7, 8, 9]);
      expect((await store.getTx(tx.id))!.status).toBe('pending');

      const setting = { nonce: 1, list: [1, 2] };
      await store.putMeta('wallet', setting);
      setting.list.push(3);
      const read = (await store.getMeta<typeof setting>('wallet'))!;
      read.nonce = 99;
      expect(await store.getMeta('wallet')).toEqual({ nonce: 1, list: [1, 2] });
    }),
    storeCase('round-trips meta values, overwriting by key', async (store) => {
      await store.putMeta('nonce', 5);
      await store.putMeta('nonce', 6);
      await store.putMeta('bytes', Uint8Array.of(1, 2, 3));
      await store.putMeta('record', { createdAtMs: 1, label: 'tab' });
      expect(await store.getMeta<number>('nonce')).toBe(6);
      expect(await store.getMeta('bytes')).toEqual(Uint8Array.of(1, 2, 3));
      expect(await store.getMeta('record')).toEqual({ createdAtMs: 1, label: 'tab' });
    }),
    storeCase('stores a non-extractable Ed25519 CryptoKey that can still sign', async (store) => {
      const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
      await store.putMeta('identity', pair);
      const read = (await store.getMeta<CryptoKeyPair>('identity'))!;
      expect(read.privateKey.extractable).toBe(false);
      const message = Uint8Array.of(1, 2, 3);
      const signature = await crypto.subtle.sign('Ed25519', read.privateKey, message);
      expect(await crypto.subtle.verify('Ed25519', pair.publicKey, signature, message)).toBe(true);
    }),
    storeCase('rejects an uncloneable meta value with a StorageError of kind data', async (store) => {
      const error = await rejection(store.putMeta('bad', { callback: () => 1 }));
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ name: 'StorageError', kind: 'data', operation: 'save setting' });
      expect(await store.getMeta('bad')).toBeUndefined();
    }),
    storeCase('rejects malformed arguments with InvalidArgumentError naming the field', async (store) => {
      const cases: [Promise<unknown>, RegExp][] = [
        [store.putTx(sampleTx(1, { id: 'not-hex' })), /tx\.id/],
        [store.putTx(sampleTx(1, { status: 'confirmed' })), /tx\.height/],
        [store.putTx(sampleTx(1, { height: 3 })), /tx\.height/],
        [store.putTx(sampleTx(1, { status: 'final' as never })), /tx\.status/],
        [store.putTx(sampleTx(1, { receivedAtMs: Number.NaN })), /tx\.receivedAtMs/],
        [store.putTx(sampleTx(1, { source: 'bob' })), /tx\.source/],
        [store.putTx(sampleTx(1, { bytes: [1, 2] as never })), /tx\.bytes/],
        [store.getTx('ABC'), /id must be/],
        [store.listRecentTxs(-1), /limit/],
        [store.putMeta('', 1), /meta key/],
      ];
      for (const [promise, message] of cases) {
        const error = await rejection(promise);
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as Error).message).toMatch(message);
      }
      expect(await store.countTxs()).toBe(0);
    }),
    storeCase('rejects every call after close() with a StorageError of kind closed', async (store) => {
      await store.putTx(sampleTx(1));
      store.close();
      for (const promise of [store.putTx(sampleTx(2)), store.putTxs([sampleTx(3)]), store.markTxsDropped([sampleTx(1).id]), store.getTx(sampleTx(1).id), store.listRecentTxs(1), store.countTxs(), store.getMeta('x'), store.putMeta('x', 1)]) {
        const error = await rejection(promise);
        expect(error).toBeInstanceOf(StorageError);
        expect(error).toMatchObject({ kind: 'closed' });
      }
    }),
  ];
}
