/**
 * The IndexedDB LedgerStore, on idb (used the way idb's own tests use it: a
 * typed DBSchema, a versioned upgrade, one transaction per logical write and
 * `await tx.done`).
 *
 * Each identity has its own database, `tabmesh:<network>:<peerId>`, because
 * tabs of one origin share IndexedDB but each tab is its own peer.
 */
import { wrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { isHexOfLength } from '../core/bytes.ts';
import { isValidNetworkName } from '../core/network.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { Logger, PeerId, TxId } from '../core/types.ts';
import { assertListLimit, assertMetaKey, assertTxId, normalizeStoredTx, type LedgerStore, type StoredTx } from './ledger-store.ts';
import { StorageError, closedStoreError, toStorageError } from './storage-error.ts';

/** The schema version this code writes. Bump it and add a step to upgradeLedgerDb. */
export const LEDGER_DB_VERSION = 1;

/** Version 1: transactions (by id, indexed by arrival time) and small metadata. */
export interface LedgerDbSchema extends DBSchema {
  txs: { key: TxId; value: StoredTx; indexes: { byReceivedAt: number } };
  /** Out-of-line keys: values are arbitrary cloneable records (a CryptoKey, a nonce). */
  meta: { key: string; value: unknown };
}

type LedgerDb = IDBPDatabase<LedgerDbSchema>;

export interface IdbLedgerStoreInit {
  /** The IndexedDB to use; defaults to globalThis.indexedDB (tests pass fake-indexeddb). */
  indexedDB?: IDBFactory;
  log?: Logger;
}

/** The database name for one identity on one network. */
export function ledgerDbName(network: string, peerId: PeerId): string {
  if (!isValidNetworkName(network)) throw new InvalidArgumentError(`network must be 1-32 letters, digits, '-' or '_', got ${JSON.stringify(network)}`);
  if (!isHexOfLength(peerId, 32)) throw new InvalidArgumentError('peerId must be 64 lower-case hex characters (an Ed25519 public key)');
  return `tabmesh:${network}:${peerId}`;
}

/**
 * Brings a database from `oldVersion` to LEDGER_DB_VERSION. Each step runs
 * when the database is older than it, so a new database runs them all and an
 * old one only the missing ones. (An `if` ladder rather than a falling-through
 * switch, which the compiler's noFallthroughCasesInSwitch forbids.)
 */
export function upgradeLedgerDb(
  db: LedgerDb,
  oldVersion: number,
  _transaction: IDBPTransaction<LedgerDbSchema, StoreNames<LedgerDbSchema>[], 'versionchange'>,
): void {
  if (oldVersion < 1) {
    const txs = db.createObjectStore('txs', { keyPath: 'id' });
    txs.createIndex('byReceivedAt', 'receivedAtMs');
    db.createObjectStore('meta');
  }
  // if (oldVersion < 2) { blocks, undo data, chain state: later issues }
}

const consoleLog: Logger = {
  info: (message, fields) => console.info(message, fields ?? ''),
  warn: (message, fields) => console.warn(message, fields ?? ''),
};

/**
 * Opens `dbName` on `factory`. This is idb's openDB with the factory made a
 * parameter (openDB always uses the global indexedDB); idb's wrap() still
 * gives the typed promise API.
 */
function openLedgerDb(factory: IDBFactory, dbName: string, log: Logger, onClosed: (reason: string) => void): Promise<LedgerDb> {
  const request = factory.open(dbName, LEDGER_DB_VERSION);
  request.addEventListener('upgradeneeded', (event) => {
    log.info('upgrading ledger database', { dbName, from: event.oldVersion, to: event.newVersion });
    upgradeLedgerDb(wrap(request.result) as unknown as LedgerDb, event.oldVersion, wrap(request.transaction!) as never);
  });
  // Another connection (a tab running older code) keeps the old version open;
  // the open waits until that tab closes it, which its `blocking` handler does.
  request.addEventListener('blocked', (event) => {
    log.warn('ledger database upgrade is waiting for another tab to close it', { dbName, from: event.oldVersion, to: event.newVersion });
  });
  return (wrap(request) as Promise<unknown> as Promise<LedgerDb>).then((db) => {
    // A newer version wants to open this database (a tab with updated code):
    // close at once so it is not blocked, and fail our later calls clearly.
    db.addEventListener('versionchange', (event) => {
      db.close();
      log.warn('ledger database closed for a newer version in another tab', { dbName, to: event.newVersion });
      onClosed('the ledger database was closed because a newer version of tabmesh opened it in another tab. Reload this tab.');
    });
    // Fired only when the browser closes the connection abnormally (storage
    // cleared from settings, disk failure), never after db.close().
    db.addEventListener('close', () => {
      log.warn('ledger database was closed by the browser', { dbName });
      onClosed('the browser closed the ledger database (site data cleared, or a storage failure). Reload this tab.');
    });
    return db;
  });
}

/**
 * Opens (creating or upgrading) the ledger database named `dbName`.
 * Rejects with a StorageError when IndexedDB is unavailable or refuses.
 */
export async function openIdbLedgerStore(dbName: string, init: IdbLedgerStoreInit = {}): Promise<LedgerStore> {
  if (typeof dbName !== 'string' || dbName.length === 0) throw new InvalidArgumentError('dbName must be a non-empty string');
  const log = init.log ?? consoleLog;
  const factory = init.indexedDB ?? globalThis.indexedDB;
  if (!factory) throw new StorageError('unavailable', 'open database', 'Could not open database: this browser has no IndexedDB.');
  let closedReason: string | undefined;
  let db: LedgerDb;
  try {
    db = await openLedgerDb(factory, dbName, log, (reason) => {
      closedReason ??= reason;
    });
  } catch (error) {
    throw toStorageError('open database', error);
  }

  /** Runs `body` on the open database, turning every failure into a StorageError. */
  async function run<T>(operation: string, body: (db: LedgerDb) => Promise<T>): Promise<T> {
    if (closedReason !== undefined) throw closedStoreError(operation, closedReason);
    try {
      return await body(db);
    } catch (error) {
      // The connection may have closed while this call ran; say so rather than
      // surfacing the raw InvalidStateError.
      if (closedReason !== undefined) throw closedStoreError(operation, closedReason);
      throw toStorageError(operation, error);
    }
  }

  return {
    async putTx(tx) {
      const record = normalizeStoredTx(tx);
      await run('save transaction', async (db) => {
        const transaction = db.transaction('txs', 'readwrite');
        await Promise.all([transaction.store.put(record), transaction.done]);
      });
    },

    async getTx(id) {
      assertTxId(id);
      return run('read transaction', (db) => db.get('txs', id));
    },

    async listRecentTxs(limit) {
      assertListLimit(limit);
      if (limit === 0) return [];
      return run('list transactions', async (db) => {
        const transaction = db.transaction('txs');
        const out: StoredTx[] = [];
        // A reversed cursor on the index visits newest first and stops after
        // `limit` records, so the cost does not grow with the store.
        let cursor = await transaction.store.index('byReceivedAt').openCursor(null, 'prev');
        while (cursor && out.length < limit) {
          out.push(cursor.value);
          cursor = out.length < limit ? await cursor.continue() : null;
        }
        await transaction.done;
        return out;
      });
    },

    async countTxs() {
      return run('count transactions', (db) => db.count('txs'));
    },

    async getMeta<T>(key: string) {
      assertMetaKey(key);
      return run('read setting', async (db) => (await db.get('meta', key)) as T | undefined);
    },

    async putMeta(key, value) {
      assertMetaKey(key);
      await run('save setting', async (db) => {
        const transaction = db.transaction('meta', 'readwrite');
        await Promise.all([transaction.store.put(value, key), transaction.done]);
      });
    },

    close() {
      closedReason ??= 'the ledger store was closed.';
      db.close();
    },
  };
}
