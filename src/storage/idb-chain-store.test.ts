// The IndexedDB-only half of the chain tests: what the memory store cannot
// show (persistence, schema upgrades, aborted transactions, damage on disk).
// The shared behaviour is in the contract suite (chain-store.contract.ts).
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { blockHash, encodeBlock } from '../core/ledger/block.ts';
import type { Account, Block } from '../core/ledger/types.ts';
import { encodeTx, txId, type Tx } from '../core/tx.ts';
import type { Logger, PeerId } from '../core/types.ts';
import { applyAccounts, connectCommit, disconnectCommit, makeBlock, parties, sortedAccounts, tipOf, type Parties } from '../../test/helpers/chain-fixtures.ts';
import { ledgerDbName, openIdbLedgerStore } from './idb-ledger-store.ts';
import { StorageError, type LedgerStore, type StoredTx } from './ledger-store.ts';

const DB = ledgerDbName('test', 'ef'.repeat(32));
const quietLog: Logger = { info: () => undefined, warn: () => undefined };

let p: Parties;
let pays: Tx[];
let genesis: Block;
let a1: Block;
let a2: Block;
beforeAll(async () => {
  p = await parties();
  pays = await p.payments(0, 3);
  genesis = makeBlock(undefined, [], p.alice);
  a1 = makeBlock(genesis, pays.slice(0, 2), p.alice);
  a2 = makeBlock(a1, pays.slice(2), p.carol);
});

const hashOf = (block: Block) => blockHash(block.header);
const storedTx = (tx: Tx): StoredTx => ({ id: txId(tx), bytes: encodeTx(tx), receivedAtMs: 1_000, status: 'pending', source: 'self' });

/** Genesis then a1 on a fresh store, with pays[0] in the txs store; returns the state after a1. */
async function twoBlocks(store: LedgerStore): Promise<Map<PeerId, Account>> {
  await store.putTx(storedTx(pays[0]!));
  const g: [PeerId, Account][] = [[p.alice, { balance: 100, nonce: 0 }]];
  await store.commitConnect(connectCommit(genesis, new Map(), g));
  const afterGenesis = applyAccounts(new Map(), g);
  const after: [PeerId, Account][] = [
    [p.alice, { balance: 178, nonce: 2 }],
    [p.bob, { balance: 20, nonce: 0 }],
  ];
  await store.commitConnect(connectCommit(a1, afterGenesis, after));
  return applyAccounts(afterGenesis, after);
}

/** Everything a chain commit can change, read back through the store. */
async function snapshot(store: LedgerStore) {
  const blocks = [genesis, a1, a2];
  return {
    state: await store.loadState(),
    headers: await store.listHeaders(),
    blocks: await Promise.all(blocks.map((block) => store.getBlock(hashOf(block)))),
    undo: await Promise.all(blocks.map((block) => store.getUndo(hashOf(block)))),
    locations: await Promise.all(pays.map((tx) => store.getTxLocation(txId(tx)))),
    txs: await store.listRecentTxs(10),
  };
}

/** Resolves with the raw IDBDatabase, or rejects with the request's error. */
function rawOpen(factory: IDBFactory, name: string, version?: number, upgrade?: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Copies the version-3 database `from` into a new database `to` with version
 * 2's schema, exactly as that release created it: the same stores, except a
 * txIndex record ({blockHash, height}, keyed by transaction id) for every
 * transaction in place of the blockTxs records.
 */
async function copyAsVersion2(factory: IDBFactory, from: string, to: string): Promise<void> {
  const source = await rawOpen(factory, from);
  const kept = ['txs', 'meta', 'blocks', 'headers', 'undo', 'accounts', 'chain'];
  const read = source.transaction([...kept, 'blockTxs']);
  const copies = await Promise.all(
    [...kept, 'blockTxs'].map(async (name) => {
      const store = read.objectStore(name);
      return { name, keys: await requestResult(store.getAllKeys()), values: await requestResult(store.getAll()) };
    }),
  );
  source.close();
  const target = await rawOpen(factory, to, 2, (db) => {
    const txs = db.createObjectStore('txs', { keyPath: 'id' });
    txs.createIndex('byReceivedAt', 'receivedAtMs');
    for (const name of ['meta', 'blocks', 'headers', 'undo', 'accounts', 'chain', 'txIndex']) db.createObjectStore(name);
  });
  const write = target.transaction([...kept, 'txIndex'], 'readwrite');
  for (const { name, keys, values } of copies) {
    values.forEach((value, i) => {
      if (name === 'txs') write.objectStore('txs').put(value);
      else if (name !== 'blockTxs') write.objectStore(name).put(value, keys[i]);
      else {
        const [height, blockHash] = keys[i] as [number, string];
        for (const id of (value as { txIds: string[] }).txIds) write.objectStore('txIndex').put({ blockHash, height }, id);
      }
    });
  }
  await new Promise<void>((resolve, reject) => {
    write.oncomplete = () => resolve();
    write.onerror = () => reject(write.error);
  });
  target.close();
}

/** Makes IDBObjectStore.put on `storeName` run `effect` instead (every other put runs normally). */
function interceptPut(storeName: string, effect: (store: IDBObjectStore) => never) {
  const original = IDBObjectStore.prototype.put;
  return vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
    return this.name === storeName ? effect(this) : original.apply(this, args);
  });
}

describe('IndexedDB ChainStore', () => {
  afterEach(() => vi.restoreAllMocks());

  it('persists blocks, undo data, state, locations and tx statuses across close and reopen', async () => {
    const indexedDB = new IDBFactory();
    const first = await openIdbLedgerStore(DB, { indexedDB, log: quietLog });
    const state = await twoBlocks(first);
    await first.putBlock(a2);
    const before = await snapshot(first);
    first.close();

    const second = await openIdbLedgerStore(DB, { indexedDB, log: quietLog });
    const after = await snapshot(second);
    expect(after).toEqual(before);
    expect(after.state).toEqual({ tip: tipOf(a1), accounts: sortedAccounts(state) });
    expect(after.blocks).toEqual([genesis, a1, a2]);
    expect(after.headers).toHaveLength(3);
    expect(after.locations[0]).toEqual({ blockHash: hashOf(a1), height: 1 });
    expect(await second.getTx(txId(pays[0]!))).toMatchObject({ status: 'confirmed', height: 1 });
    second.close();
  });

  it('upgrades a version-1 database, keeping its transactions and metadata', async () => {
    const indexedDB = new IDBFactory();
    const old = storedTx(pays[0]!);
    // The version-1 schema exactly as the first release created it.
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => {
        const txs = request.result.createObjectStore('txs', { keyPath: 'id' });
        txs.createIndex('byReceivedAt', 'receivedAtMs');
        request.result.createObjectStore('meta');
      };
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const db = request.result;
        const tx = db.transaction(['txs', 'meta'], 'readwrite');
        tx.objectStore('txs').put(old);
        tx.objectStore('meta').put({ createdAtMs: 7 }, 'identity');
        tx.oncomplete = () => {
          db.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error);
      };
    });

    const infos: string[] = [];
    const store = await openIdbLedgerStore(DB, { indexedDB, log: { info: (message) => void infos.push(message), warn: () => undefined } });
    expect(infos).toContain('upgrading ledger database');
    expect(await store.getTx(old.id)).toEqual(old);
    expect(await store.listRecentTxs(5)).toEqual([old]);
    expect(await store.getMeta('identity')).toEqual({ createdAtMs: 7 });
    expect(await store.loadState()).toBeUndefined();
    expect(await store.listHeaders()).toEqual([]);
    // The new stores work, and see the old records.
    await twoBlocks(store);
    expect(await store.getTx(old.id)).toMatchObject({ status: 'confirmed', height: 1 });
    store.close();
  });

  it('upgrades a version-2 database, moving each transaction location of txIndex into its block record', async () => {
    const indexedDB = new IDBFactory();
    // The chain written by this version, then copied record by record into a
    // database with version 2's schema, where each transaction had a txIndex record.
    const current = await openIdbLedgerStore(DB, { indexedDB, log: quietLog });
    const state = await twoBlocks(current);
    await current.commitConnect(connectCommit(a2, state, [[p.carol, { balance: 51, nonce: 0 }]]));
    await current.putBlock(a2);
    const before = await snapshot(current);
    current.close();
    const OLD = ledgerDbName('test', '01'.repeat(32));
    await copyAsVersion2(indexedDB, DB, OLD);

    const infos: string[] = [];
    const upgraded = await openIdbLedgerStore(OLD, { indexedDB, log: { info: (message) => void infos.push(message), warn: () => undefined } });
    expect(infos).toContain('upgrading ledger database');
    expect(await snapshot(upgraded)).toEqual(before);
    expect(before.locations).toEqual([
      { blockHash: hashOf(a1), height: 1 },
      { blockHash: hashOf(a1), height: 1 },
      { blockHash: hashOf(a2), height: 2 },
    ]);
    // The moved records are the ones later commits use: a2's is removed with it.
    await upgraded.commitDisconnect(disconnectCommit((await upgraded.getUndo(hashOf(a2)))!, a1));
    expect(await upgraded.getTxLocation(txId(pays[2]!))).toBeUndefined();
    expect(await upgraded.getTxLocation(txId(pays[0]!))).toEqual({ blockHash: hashOf(a1), height: 1 });
    upgraded.close();
    const raw = await rawOpen(indexedDB, OLD);
    expect([...raw.objectStoreNames]).not.toContain('txIndex');
    raw.close();
  });

  it('a commit whose write fails part-way stores nothing of it (the transaction is aborted)', async () => {
    const store = await openIdbLedgerStore(DB, { indexedDB: new IDBFactory(), log: quietLog });
    const state = await twoBlocks(store);
    const before = await snapshot(store);
    // The tip is written last: by then blocks, headers, undo, accounts and the
    // index have been put in the same transaction. They must all roll back.
    interceptPut('chain', () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const commit = connectCommit(a2, state, [[p.carol, { balance: 51, nonce: 0 }]]);
    await expect(store.commitConnect(commit)).rejects.toMatchObject({ name: 'StorageError', kind: 'quota', operation: 'save connected block' });
    vi.restoreAllMocks();
    expect(await snapshot(store)).toEqual(before);
    await store.commitConnect(commit); // and the store still works
    expect((await store.loadState())!.tip).toEqual(tipOf(a2));
    store.close();
  });

  it('a transaction aborted mid-write, as when the tab closes, leaves the previous state whole', async () => {
    const store = await openIdbLedgerStore(DB, { indexedDB: new IDBFactory(), log: quietLog });
    const state = await twoBlocks(store);
    const before = await snapshot(store);
    interceptPut('chain', (objectStore) => {
      objectStore.transaction.abort();
      throw new DOMException('The transaction was aborted.', 'AbortError');
    });
    const connect = await store.commitConnect(connectCommit(a2, state, [[p.carol, { balance: 51, nonce: 0 }]])).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(connect).toBeInstanceOf(StorageError);
    expect(await snapshot(store)).toEqual(before);

    const undo = (await store.getUndo(hashOf(a1)))!;
    const disconnect = await store.commitDisconnect(disconnectCommit(undo, genesis)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(disconnect).toBeInstanceOf(StorageError);
    expect(await snapshot(store)).toEqual(before);
    expect(await store.getTx(txId(pays[0]!))).toMatchObject({ status: 'confirmed', height: 1 });
    store.close();
  });

  it('reports a damaged stored block as corrupt instead of returning a wrong block', async () => {
    const indexedDB = new IDBFactory();
    const store = await openIdbLedgerStore(DB, { indexedDB, log: quietLog });
    await twoBlocks(store);
    store.close();
    // Damage on disk: a1's key holds a2's encoding, and genesis's a truncated one.
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(DB);
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const db = request.result;
        const tx = db.transaction('blocks', 'readwrite');
        tx.objectStore('blocks').put(encodeBlock(a2), hashOf(a1));
        tx.objectStore('blocks').put(encodeBlock(genesis).subarray(0, 100).slice(), hashOf(genesis));
        tx.oncomplete = () => {
          db.close();
          resolve();
        };
      };
    });
    const reopened = await openIdbLedgerStore(DB, { indexedDB, log: quietLog });
    await expect(reopened.getBlock(hashOf(a1))).rejects.toMatchObject({ name: 'StorageError', kind: 'corrupt', message: /hashes differently/ });
    await expect(reopened.getBlock(hashOf(genesis))).rejects.toMatchObject({ kind: 'corrupt', message: /does not decode: truncated/ });
    // Disconnecting the damaged tip block is refused whole.
    const before = await reopened.loadState();
    const undo = (await reopened.getUndo(hashOf(a1)))!;
    await expect(reopened.commitDisconnect(disconnectCommit(undo, genesis))).rejects.toMatchObject({ kind: 'corrupt', operation: 'save disconnected block' });
    expect(await reopened.loadState()).toEqual(before);
    reopened.close();
  });
});
