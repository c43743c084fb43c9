/**
 * The ledger database's schema and its upgrade ladder (idb's typed DBSchema
 * and versioned `upgrade(db, oldVersion)`, as in idb's own tests).
 */
import { unwrap, wrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { Account, BlockHeader, BlockUndo, TipRecord } from '../core/ledger/types.ts';
import type { BlockHash, Logger, PeerId, TxId } from '../core/types.ts';
import type { StoredBlock, TxLocation } from './chain-records.ts';
import type { StoredTx } from './ledger-store.ts';

/** The schema version this code writes. Bump it and add a step to upgradeLedgerDb. */
export const LEDGER_DB_VERSION = 3;

/**
 * Version 1: transactions (by id, indexed by arrival time) and small metadata.
 * Version 2: the chain. Every chain store uses out-of-line keys, so records
 * do not repeat their key.
 * Version 3: where each confirmed transaction sits is one `blockTxs` record
 * per block, found through a multiEntry index, instead of one `txIndex`
 * record per transaction (upgradeTxIndex).
 */
export interface LedgerDbSchema extends DBSchema {
  txs: { key: TxId; value: StoredTx; indexes: { byReceivedAt: number } };
  /** Out-of-line keys: values are arbitrary cloneable records (a CryptoKey, a nonce). */
  meta: { key: string; value: unknown };
  /** Every stored block, best chain or side branch; never deleted. */
  blocks: { key: BlockHash; value: StoredBlock };
  /** The same headers again, so listHeaders on start never loads a block body. */
  headers: { key: BlockHash; value: BlockHeader };
  /** Undo data of each block on the best chain; deleted when the block is disconnected. */
  undo: { key: BlockHash; value: BlockUndo };
  /** The account state at the tip. */
  accounts: { key: PeerId; value: Account };
  /** One record, under TIP_KEY: the tip that `accounts` is the state of. */
  chain: { key: string; value: TipRecord };
  /**
   * Where each transaction on the best chain sits: one record per block on
   * it, keyed [height, hash] (blockTxsKey) and deleted when the block is
   * disconnected. The multiEntry `byTxId` index holds an entry per
   * transaction id, and an entry's primary key is the transaction's location
   * (toTxLocation). A block's commit is then one request where a record per
   * transaction took one each: in Chromium a commit of 350 transactions took
   * 12.5-15 ms that way and 3.3-3.7 ms this way (docs/PERFORMANCE.md).
   */
  blockTxs: { key: [number, BlockHash]; value: BlockTxIds; indexes: { byTxId: TxId } };
}

/** A `blockTxs` record: the ids of one block's transactions (in block order, unless moved from version 2's txIndex). */
export interface BlockTxIds {
  txIds: TxId[];
}

/** The `blockTxs` key of the block `blockHash` at `height`. */
export function blockTxsKey(height: number, blockHash: BlockHash): [number, BlockHash] {
  return [height, blockHash];
}

/** A transaction's location, from the primary key its `byTxId` index entry points at. */
export function toTxLocation(key: unknown): TxLocation | undefined {
  if (!Array.isArray(key)) return undefined;
  const [height, blockHash] = key as [number, BlockHash];
  return { blockHash, height };
}

export type LedgerDb = IDBPDatabase<LedgerDbSchema>;

/** The stores one chain commit writes: all of them in one transaction. */
export const CHAIN_COMMIT_STORES = ['blocks', 'headers', 'undo', 'accounts', 'chain', 'blockTxs', 'txs'] as const;

/**
 * Brings a database from `oldVersion` to LEDGER_DB_VERSION. Each step runs
 * when the database is older than it, so a new database runs them all and an
 * old one only the missing ones. (An `if` ladder rather than a falling-through
 * switch, which the compiler's noFallthroughCasesInSwitch forbids.) No step
 * loses data: a version-1 database keeps its transactions and metadata, and
 * a version-2 one its transaction locations, moved into `blockTxs`.
 */
export function upgradeLedgerDb(
  db: LedgerDb,
  oldVersion: number,
  transaction: IDBPTransaction<LedgerDbSchema, StoreNames<LedgerDbSchema>[], 'versionchange'>,
): void {
  if (oldVersion < 1) {
    const txs = db.createObjectStore('txs', { keyPath: 'id' });
    txs.createIndex('byReceivedAt', 'receivedAtMs');
    db.createObjectStore('meta');
  }
  if (oldVersion < 2) {
    db.createObjectStore('blocks');
    db.createObjectStore('headers');
    db.createObjectStore('undo');
    db.createObjectStore('accounts');
    db.createObjectStore('chain');
  }
  if (oldVersion < 3) {
    db.createObjectStore('blockTxs').createIndex('byTxId', 'txIds', { multiEntry: true });
    // A version-2 database has a txIndex store to move; a new one never had it.
    if (oldVersion === 2) upgradeTxIndex(unwrap(transaction));
  }
}

/**
 * Moves version 2's `txIndex` (a {blockHash, height} record per transaction
 * id) into `blockTxs` records, one per block, then deletes it. Raw requests:
 * the version-change transaction stays open while their callbacks run, and
 * the open does not succeed until it commits, so nothing reads half a move.
 * A failure aborts the upgrade, and the database stays at version 2 whole.
 */
function upgradeTxIndex(transaction: IDBTransaction): void {
  const oldIndex = transaction.objectStore('txIndex');
  const locations = oldIndex.getAll();
  const ids = oldIndex.getAllKeys();
  ids.onsuccess = () => {
    const byBlock = new Map<string, { key: [number, BlockHash]; txIds: TxId[] }>();
    (locations.result as TxLocation[]).forEach((location, i) => {
      const group = byBlock.get(location.blockHash) ?? { key: blockTxsKey(location.height, location.blockHash), txIds: [] };
      group.txIds.push(ids.result[i] as TxId);
      byBlock.set(location.blockHash, group);
    });
    const blockTxs = transaction.objectStore('blockTxs');
    for (const { key, txIds } of byBlock.values()) blockTxs.put({ txIds } satisfies BlockTxIds, key);
    transaction.db.deleteObjectStore('txIndex');
  };
}

/**
 * Opens `dbName` on `factory`. This is idb's openDB with the factory made a
 * parameter (openDB always uses the global indexedDB); idb's wrap() still
 * gives the typed promise API.
 */
export function openLedgerDb(factory: IDBFactory, dbName: string, log: Logger, onClosed: (reason: string) => void): Promise<LedgerDb> {
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
