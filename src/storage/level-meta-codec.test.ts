// What the LevelDB store's putMeta accepts (level-meta-codec.ts): JSON values
// and Uint8Arrays round-trip exactly; everything else is refused with kind
// 'data', naming where in the value it sits, and writes nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from './ledger-store.ts';
import { openLevelLedgerStore, type LevelLedgerStore } from './level-ledger-store.ts';
import { decodeMetaValue, encodeMetaValue, MAX_META_DEPTH } from './level-meta-codec.ts';

let dir: string;
let store: LevelLedgerStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tabmesh-level-meta-'));
  store = await openLevelLedgerStore(dir, { network: 'test-meta', log: { info: () => undefined, warn: () => undefined } });
});
afterAll(async () => {
  store.close();
  await store.whenClosed();
  await rm(dir, { recursive: true, force: true });
});

const roundTrip = (value: unknown) => decodeMetaValue('k', new TextEncoder().encode(encodeMetaValue(value, 'save setting')), 'read setting');

describe('LevelDB settings', () => {
  it('round-trips JSON values and Uint8Arrays through the store', async () => {
    const peerBook = {
      version: 1,
      peers: [
        { id: 'ab'.repeat(32), addresses: ['ws://127.0.0.1:8080'], lastSeenMs: 1_700_000_000_123.5, banned: false, score: -3, note: null },
        { id: 'cd'.repeat(32), addresses: [], lastSeenMs: 0, banned: true, score: 0, note: 'ünïcødé ✓' },
      ],
      key: Uint8Array.of(0, 255, 7),
      nested: { empty: {}, list: [[], [new Uint8Array(0)]] },
    };
    await store.putMeta('peer-book', peerBook);
    expect(await store.getMeta('peer-book')).toEqual(peerBook);
    for (const value of [0, 'text', true, null, [1, 'two', null]]) {
      await store.putMeta('scalar', value);
      expect(await store.getMeta('scalar')).toEqual(value);
    }
  });

  it('keeps a property named __proto__ as data, and leaves out properties whose value is undefined', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const back = roundTrip({ ...value, gone: undefined }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(roundTrip(Buffer.from([1, 2]))).toEqual(Uint8Array.of(1, 2));
  });

  it('refuses every other value with kind data, naming where it sits, and writes nothing', async () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_META_DEPTH; i++) deep = [deep];
    const cases: [unknown, RegExp][] = [
      [undefined, /the value is undefined/],
      [{ at: Number.NaN }, /the value\.at is NaN/],
      [{ list: [1, Infinity] }, /the value\.list\[1\] is Infinity/],
      [[1, undefined], /the value\[1\] is undefined/],
      [10n, /is a bigint/],
      [{ f: () => 1 }, /the value\.f is a function/],
      [Symbol('s'), /is a symbol/],
      [new Date(0), /is a Date, not a plain object/],
      [new Map([[1, 2]]), /is a Map/],
      [new Set([1]), /is a Set/],
      [new Uint16Array(2), /is a Uint16Array/],
      [{ $bytes: 'AA==' }, /\$bytes, which is reserved/],
      [cyclic, /the value\.self contains itself/],
      [deep, /nested deeper than 64 levels/],
    ];
    for (const [value, message] of cases) {
      const error = await store.putMeta('refused', value).then(
        () => new Error(`expected ${String(value)} to be refused`),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ kind: 'data', operation: 'save setting', message });
    }
    expect(await store.getMeta('refused')).toBeUndefined();
  });

  it('refuses a CryptoKey, which IndexedDB would clone: the node keeps its identity key elsewhere', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    await expect(store.putMeta('identity', pair)).rejects.toMatchObject({ name: 'StorageError', kind: 'data', message: /the value\.(public|private)Key is a CryptoKey/ });
    expect(await store.getMeta('identity')).toBeUndefined();
  });

  it('reads a stored number that overflows to Infinity as damage, since putMeta never writes one (found by fuzzing)', () => {
    expect(() => decodeMetaValue('k', new TextEncoder().encode('[1, -1e400]'), 'read setting')).toThrow(expect.objectContaining({ name: 'StorageError', kind: 'corrupt' }));
    expect(roundTrip([1, -1e300])).toEqual([1, -1e300]);
  });

  it('stores the value as it was when putMeta was called', async () => {
    const value = { list: [1] };
    const write = store.putMeta('snap', value);
    value.list.push(2);
    await write;
    expect(await store.getMeta('snap')).toEqual({ list: [1] });
  });
});
