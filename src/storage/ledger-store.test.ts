// idb's wrapper recognises IndexedDB objects with instanceof against the
// global IDB* classes, so install fake-indexeddb's; each test still gets its
// own fresh IDBFactory, and so its own empty set of databases.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '../core/result.ts';
import type { Logger } from '../core/types.ts';
import { LEDGER_DB_VERSION, ledgerDbName, openIdbLedgerStore } from './idb-ledger-store.ts';
import type { OpenStore } from './contract-expect.ts';
import { ledgerStoreContractCases, sampleTx } from './ledger-store.contract.ts';
import { StorageError } from './ledger-store.ts';
import { createMemoryLedgerStore } from './memory-ledger-store.ts';
import { toStorageError } from './storage-error.ts';

const PEER = 'cd'.repeat(32);
const DB = ledgerDbName('main', PEER);

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (message) => void warnings.push(message) };
}

/** The vitest adapter for the contract: one test per case; `open` must return a fresh, empty store. */
function runLedgerStoreContract(name: string, open: OpenStore): void {
  describe(`LedgerStore contract: ${name}`, () => {
    for (const contractCase of ledgerStoreContractCases()) it(contractCase.name, () => contractCase.run(open));
  });
}

runLedgerStoreContract('memory', async (init) => createMemoryLedgerStore(init));
runLedgerStoreContract('IndexedDB (fake-indexeddb)', (init) => openIdbLedgerStore(DB, { ...init, indexedDB: new IDBFactory(), log: recordingLog() }));

/** Resolves with the raw IDBDatabase, or rejects with the request's error. */
function rawOpen(factory: IDBFactory, name: string, version?: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

describe('openIdbLedgerStore', () => {
  it('persists transactions and meta across close and reopen', async () => {
    const indexedDB = new IDBFactory();
    const first = await openIdbLedgerStore(DB, { indexedDB, log: recordingLog() });
    await first.putTx(sampleTx(1));
    await first.putTx(sampleTx(2, { status: 'confirmed', height: 7 }));
    await first.putMeta('nonce', 3);
    first.close();

    const second = await openIdbLedgerStore(DB, { indexedDB, log: recordingLog() });
    expect(await second.countTxs()).toBe(2);
    expect(await second.getTx(sampleTx(2).id)).toEqual(sampleTx(2, { status: 'confirmed', height: 7 }));
    expect((await second.listRecentTxs(1))[0]!.id).toBe(sampleTx(2).id);
    expect(await second.getMeta('nonce')).toBe(3);
    second.close();
  });

  it('keeps each identity in its own database', async () => {
    const indexedDB = new IDBFactory();
    const alice = await openIdbLedgerStore(ledgerDbName('main', 'aa'.repeat(32)), { indexedDB, log: recordingLog() });
    const bob = await openIdbLedgerStore(ledgerDbName('main', 'bb'.repeat(32)), { indexedDB, log: recordingLog() });
    await alice.putTx(sampleTx(1));
    expect(await bob.countTxs()).toBe(0);
    alice.close();
    bob.close();
  });

  it('creates the current version: txs with its byReceivedAt index, meta, and the chain stores with blockTxs and its multiEntry byTxId index', async () => {
    const indexedDB = new IDBFactory();
    (await openIdbLedgerStore(DB, { indexedDB, log: recordingLog() })).close();
    const raw = await rawOpen(indexedDB, DB);
    expect(raw.version).toBe(LEDGER_DB_VERSION);
    expect(LEDGER_DB_VERSION).toBe(3);
    expect([...raw.objectStoreNames].sort()).toEqual(['accounts', 'blockTxs', 'blocks', 'chain', 'headers', 'meta', 'txs', 'undo']);
    const txs = raw.transaction('txs').objectStore('txs');
    expect(txs.keyPath).toBe('id');
    expect([...txs.indexNames]).toEqual(['byReceivedAt']);
    expect(txs.index('byReceivedAt').keyPath).toBe('receivedAtMs');
    const byTxId = raw.transaction('blockTxs').objectStore('blockTxs').index('byTxId');
    expect([byTxId.keyPath, byTxId.multiEntry, byTxId.unique]).toEqual(['txIds', true, false]);
    raw.close();
  });

  it('closes for a newer version opened elsewhere, instead of blocking it, and says so', async () => {
    const indexedDB = new IDBFactory();
    const log = recordingLog();
    const store = await openIdbLedgerStore(DB, { indexedDB, log });
    await store.putTx(sampleTx(1));
    const newer = await rawOpen(indexedDB, DB, LEDGER_DB_VERSION + 1); // would hang if we did not close
    expect(newer.version).toBe(LEDGER_DB_VERSION + 1);
    const error = await store.countTxs().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ kind: 'closed', operation: 'count transactions' });
    expect((error as Error).message).toMatch(/newer version of tabmesh/);
    expect(log.warnings).toContain('ledger database closed for a newer version in another tab');
    newer.close();
  });

  it('reports a database written by newer code as a StorageError of kind version', async () => {
    const indexedDB = new IDBFactory();
    (await rawOpen(indexedDB, DB, LEDGER_DB_VERSION + 5)).close();
    await expect(openIdbLedgerStore(DB, { indexedDB, log: recordingLog() })).rejects.toMatchObject({ name: 'StorageError', kind: 'version', operation: 'open database' });
  });

  it('turns QuotaExceededError on write into a StorageError a user can act on', async () => {
    const store = await openIdbLedgerStore(DB, { indexedDB: new IDBFactory(), log: recordingLog() });
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    try {
      const error = await store.putTx(sampleTx(1)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ kind: 'quota', operation: 'save transaction' });
      expect((error as Error).message).toMatch(/storage is full/);
      expect((error as StorageError).cause).toBeInstanceOf(DOMException);
    } finally {
      put.mockRestore();
    }
    expect(await store.countTxs()).toBe(0);
    store.close();
  });

  it('rejects with StorageError when there is no IndexedDB at all', async () => {
    vi.stubGlobal('indexedDB', undefined);
    try {
      await expect(openIdbLedgerStore(DB)).rejects.toMatchObject({ name: 'StorageError', kind: 'unavailable' });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(globalThis.indexedDB).toBeDefined();
  });
});

describe('ledgerDbName', () => {
  it('names the database by network and peer id', () => {
    expect(ledgerDbName('main', PEER)).toBe(`tabmesh:main:${PEER}`);
  });

  it('rejects a bad network name or peer id', () => {
    expect(() => ledgerDbName('no spaces', PEER)).toThrow(InvalidArgumentError);
    expect(() => ledgerDbName('main', 'CD'.repeat(32))).toThrow(/peerId/);
  });
});

describe('toStorageError', () => {
  it('maps DOMException names to kinds, keeping the cause', () => {
    const kinds = ['QuotaExceededError', 'VersionError', 'InvalidStateError', 'DataCloneError', 'SecurityError', 'AbortError'].map((name) => {
      const error = toStorageError('save block', new DOMException('x', name));
      expect(error.cause).toBeInstanceOf(DOMException);
      expect(error.message).toMatch(/^Could not save block: /);
      return error.kind;
    });
    expect(kinds).toEqual(['quota', 'version', 'closed', 'data', 'unavailable', 'unknown']);
  });

  it('passes a StorageError through unchanged', () => {
    const original = new StorageError('quota', 'x', 'full');
    expect(toStorageError('y', original)).toBe(original);
  });
});
