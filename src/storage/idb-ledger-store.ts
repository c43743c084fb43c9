/**
 * The IndexedDB LedgerStore, on idb (used the way idb's own tests use it: a
 * typed DBSchema, a versioned upgrade, one transaction per logical write and
 * `await tx.done`).
 *
 * Each identity has its own database, `tabmesh:<network>:<peerId>`, because
 * tabs of one origin share IndexedDB but each tab is its own peer. The schema
 * and its upgrades are in idb-ledger-schema.ts, the chain methods in
 * idb-chain-store.ts.
 */
import { isHexOfLength } from '../core/bytes.ts';
import { isValidNetworkName } from '../core/network.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { Clock, Logger, PeerId } from '../core/types.ts';
import { unwrap } from 'idb';
import { addUnlessStored, createIdbChainStore, rawResults } from './idb-chain-store.ts';
import { withLocation } from './chain-commits.ts';
import { openLedgerDb, toTxLocation, type LedgerDb } from './idb-ledger-schema.ts';
import {
  assertListLimit,
  assertMetaKey,
  assertTxId,
  assertTxIds,
  consoleStoreLog,
  mergeTxWrite,
  normalizeStoredTx,
  normalizeStoredTxs,
  type LedgerStore,
  type StoredTx,
} from './ledger-store.ts';
import { StorageError, closedStoreError, toStorageError } from './storage-error.ts';

export { LEDGER_DB_VERSION, upgradeLedgerDb, type LedgerDbSchema } from './idb-ledger-schema.ts';

export interface IdbLedgerStoreInit {
  /** The IndexedDB to use; defaults to globalThis.indexedDB (tests pass fake-indexeddb). */
  indexedDB?: IDBFactory;
  log?: Logger;
  /** Stamps transactions first seen inside a connected block; default Date.now. */
  clock?: Clock;
  /** The account whose history `txs` keeps (inHistoryOf, chain-commits.ts); without one, every transaction. */
  owner?: PeerId;
}

/** The database name for one identity on one network. */
export function ledgerDbName(network: string, peerId: PeerId): string {
  if (!isValidNetworkName(network)) throw new InvalidArgumentError(`network must be 1-32 letters, digits, '-' or '_', got ${JSON.stringify(network)}`);
  if (!isHexOfLength(peerId, 32)) throw new InvalidArgumentError('peerId must be 64 lower-case hex characters (an Ed25519 public key)');
  return `tabmesh:${network}:${peerId}`;
}

/**
 * One readwrite transaction on `txs`: reads the records of `ids` as readers
 * see them (withLocation: blockTxs says which are confirmed), then puts what
 * `update` returns for each (undefined leaves it). Raw requests, one promise
 * for the reads.
 */
async function updateTxs(db: LedgerDb, ids: readonly string[], update: (stored: StoredTx | undefined, index: number) => StoredTx | undefined): Promise<void> {
  const transaction = db.transaction(['txs', 'blockTxs'], 'readwrite');
  const txs = unwrap(transaction).objectStore('txs');
  const byTxId = unwrap(transaction).objectStore('blockTxs').index('byTxId');
  try {
    const found = await rawResults([...ids.map((id) => txs.get(id)), ...ids.map((id) => byTxId.getKey(id))]);
    ids.forEach((_id, index) => {
      const record = found[index] as StoredTx | undefined;
      const next = update(record && withLocation(record, toTxLocation(found[ids.length + index])), index);
      if (next) txs.put(next);
    });
  } catch (error) {
    // A failed read aborted the transaction already; wait for it so nothing is left running.
    await transaction.done.catch(() => undefined);
    throw error;
  }
  await transaction.done;
}

/**
 * putTxs in one readwrite transaction: each record is added, and only where
 * one is stored already (rare: the mempool writes a transaction once) read
 * and merged (mergeTxWrite). One request per transaction in the common case,
 * where reading every record first took two and a round trip; the mempool's
 * history writes run 100 times a second in every tab, all on the origin's one
 * IndexedDB backend (docs/PERFORMANCE.md).
 */
async function addOrMergeTxs(db: LedgerDb, records: readonly StoredTx[]): Promise<void> {
  const transaction = db.transaction('txs', 'readwrite');
  const txs = unwrap(transaction).objectStore('txs');
  for (const record of records) {
    addUnlessStored(txs, record, () => {
      const read = txs.get(record.id);
      read.onsuccess = () => txs.put(mergeTxWrite(read.result as StoredTx | undefined, record));
    });
  }
  await transaction.done;
}

/**
 * Opens (creating or upgrading) the ledger database named `dbName`.
 * Rejects with a StorageError when IndexedDB is unavailable or refuses.
 */
export async function openIdbLedgerStore(dbName: string, init: IdbLedgerStoreInit = {}): Promise<LedgerStore> {
  if (typeof dbName !== 'string' || dbName.length === 0) throw new InvalidArgumentError('dbName must be a non-empty string');
  const log = init.log ?? consoleStoreLog;
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
      // A check that needed stored data (a commit's tip against the stored
      // one) is still the caller's mistake, not a storage failure.
      if (error instanceof InvalidArgumentError) throw error;
      throw toStorageError(operation, error);
    }
  }

  return {
    ...createIdbChainStore(run, init.clock ?? { nowMs: () => Date.now() }, init.owner),

    async putTx(tx) {
      const record = normalizeStoredTx(tx);
      await run('save transaction', async (db) => {
        const transaction = db.transaction('txs', 'readwrite');
        await Promise.all([transaction.store.put(record), transaction.done]);
      });
    },

    async putTxs(batch) {
      const records = normalizeStoredTxs(batch);
      if (records.length === 0) return;
      await run('save transactions', (db) => addOrMergeTxs(db, records));
    },

    async markTxsDropped(ids) {
      assertTxIds(ids);
      if (ids.length === 0) return;
      await run('mark transactions dropped', (db) => updateTxs(db, ids, (stored) => (stored?.status === 'pending' ? { ...stored, status: 'dropped' } : undefined)));
    },

    async getTx(id) {
      assertTxId(id);
      return run('read transaction', async (db) => {
        const transaction = db.transaction(['txs', 'blockTxs']);
        const [record, placed] = await Promise.all([transaction.objectStore('txs').get(id), transaction.objectStore('blockTxs').index('byTxId').getKey(id), transaction.done]);
        return record && withLocation(record, toTxLocation(placed));
      });
    },

    async listRecentTxs(limit) {
      assertListLimit(limit);
      if (limit === 0) return [];
      return run('list transactions', async (db) => {
        const transaction = db.transaction(['txs', 'blockTxs']);
        const out: StoredTx[] = [];
        // A reversed cursor on the index visits newest first and stops after
        // `limit` records, so the cost does not grow with the store.
        let cursor = await transaction.objectStore('txs').index('byReceivedAt').openCursor(null, 'prev');
        while (cursor && out.length < limit) {
          out.push(cursor.value);
          cursor = out.length < limit ? await cursor.continue() : null;
        }
        const byTxId = transaction.objectStore('blockTxs').index('byTxId');
        const placed = await Promise.all(out.map((record) => byTxId.getKey(record.id)));
        await transaction.done;
        return out.map((record, index) => withLocation(record, toTxLocation(placed[index])));
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
