/**
 * The LevelDB LedgerStore, for the headless Node full node (classic-level).
 * Same contract as the IndexedDB and memory stores (ledger-store.contract.ts
 * runs against all three), with these differences:
 * - One directory holds one identity's ledger on one network. It records its
 *   network and schema version when created, and refuses to open for another
 *   network or a newer schema (level-open.ts).
 * - putMeta takes JSON values and Uint8Arrays only, not any structured-
 *   cloneable value (level-meta-codec.ts): the node keeps its identity key
 *   elsewhere.
 * - Every write is one LevelDB batch, in the operating system's hands when
 *   its promise resolves, so it survives the process being killed at any
 *   moment (level-crash.test.ts). Chain commits are also fsynced, so a power
 *   cut leaves the chain at a whole commit too; history and settings writes
 *   are not (a power cut can lose the last of them).
 *
 * Key layout: level-schema.ts; chain commits: level-chain-store.ts.
 */
import { isHexOfLength, utf8 } from '../core/bytes.ts';
import { isValidNetworkName } from '../core/network.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { Clock, Logger, PeerId } from '../core/types.ts';
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
import { createLevelChainStore } from './level-chain-store.ts';
import { createLevelContext, type LevelContext } from './level-context.ts';
import { decodeMetaValue, encodeMetaValue } from './level-meta-codec.ts';
import { openLevelDb } from './level-open.ts';
import { damagedRecord } from './level-records.ts';
import { TX_TIME_DIGITS } from './level-schema.ts';
import { TxBatch, readStoredTx, readStoredTxs } from './level-txs.ts';

export { LEVEL_SCHEMA_VERSION } from './level-schema.ts';

/** What openLevelLedgerStore takes besides the directory (owner and clock as in the IndexedDB and memory stores). */
export interface LevelLedgerStoreInit {
  /** The network this database belongs to; recorded when it is created, and checked on every open. */
  network: string;
  /** The account whose history `txs` keeps (inHistoryOf, chain-commits.ts); without one, every transaction. */
  owner?: PeerId;
  /** Stamps transactions first seen inside a connected block; default Date.now. */
  clock?: Clock;
  /** Default: the console. */
  log?: Logger;
}

/** A LedgerStore on LevelDB; close() is synchronous, whenClosed() says when the directory is free again. */
export interface LevelLedgerStore extends LedgerStore {
  /** Resolves once close() has finished and LevelDB has released the directory (its LOCK). */
  whenClosed(): Promise<void>;
}

/**
 * One history write, after every earlier write: reads the stored records of
 * `ids` (distinct), lets `update` write through a TxBatch that knows them,
 * and stores what it wrote in one batch.
 */
function updateTxs(context: LevelContext, operation: string, ids: readonly string[], update: (txs: TxBatch) => void): Promise<void> {
  return context.write(operation, async () => {
    const saved = await readStoredTxs(context.subs, ids, operation);
    const txs = new TxBatch(context.subs);
    ids.forEach((id, i) => txs.seen(id, saved[i]));
    update(txs);
    if (txs.ops.length > 0) await context.batch(txs.ops);
  });
}

/**
 * Opens (creating when missing) the ledger database in directory `path`.
 * Rejects with a StorageError naming `path` when it belongs to another
 * network, was written by newer code, is damaged, or is held by another
 * process; with an InvalidArgumentError for a malformed argument.
 */
export async function openLevelLedgerStore(path: string, init: LevelLedgerStoreInit): Promise<LevelLedgerStore> {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('path must be a non-empty string (a directory)');
  if (typeof init !== 'object' || init === null) throw new InvalidArgumentError('init must be {network, owner?, clock?, log?}');
  if (!isValidNetworkName(init.network)) throw new InvalidArgumentError(`init.network must be 1-32 letters, digits, '-' or '_', got ${JSON.stringify(init.network)}`);
  if (init.owner !== undefined && !isHexOfLength(init.owner, 32)) throw new InvalidArgumentError('init.owner must be a PeerId (64 lower-case hex characters)');
  const log = init.log ?? consoleStoreLog;
  const { db, subs } = await openLevelDb(path, init.network, log);
  const context = createLevelContext(db, subs, path, log);

  return {
    ...createLevelChainStore(context, init.clock ?? { nowMs: () => Date.now() }, init.owner),

    async putTx(tx) {
      const record = normalizeStoredTx(tx);
      await updateTxs(context, 'save transaction', [record.id], (txs) => txs.write(record));
    },

    async putTxs(batch) {
      const records = normalizeStoredTxs(batch);
      await updateTxs(context, 'save transactions', [...new Set(records.map((record) => record.id))], (txs) => {
        // In order, each write seeing the ones before it: a later record for an id replaces an earlier one.
        for (const record of records) txs.write(mergeTxWrite(txs.get(record.id), record));
      });
    },

    async markTxsDropped(ids) {
      assertTxIds(ids);
      const unique = [...new Set(ids)];
      await updateTxs(context, 'mark transactions dropped', unique, (txs) => {
        for (const id of unique) {
          const stored = txs.get(id);
          if (stored?.status === 'pending') txs.write({ ...stored, status: 'dropped' });
        }
      });
    },

    async getTx(id) {
      assertTxId(id);
      return context.read('read transaction', async () => {
        const bytes = await subs.txs.get(id);
        return bytes && readStoredTx(id, bytes, 'read transaction');
      });
    },

    async listRecentTxs(limit) {
      assertListLimit(limit);
      const operation = 'list transactions';
      return context.withSnapshot(operation, async (snapshot): Promise<StoredTx[]> => {
        if (limit === 0) return [];
        // A reverse scan of the index reads only the entries it returns.
        const ids: string[] = [];
        for await (const key of subs.txtime.keys({ reverse: true, limit, snapshot })) ids.push(key.slice(TX_TIME_DIGITS));
        const records = await readStoredTxs(subs, ids, operation, snapshot);
        return records.map((record, i) => {
          if (!record) throw damagedRecord(operation, `the arrival index lists transaction ${ids[i]}, which has no record`);
          return record;
        });
      });
    },

    async countTxs() {
      return context.read('count transactions', async () => {
        let count = 0;
        for await (const _key of subs.txs.keys()) count++;
        return count;
      });
    },

    async getMeta<T>(key: string) {
      assertMetaKey(key);
      return context.read('read setting', async () => {
        const bytes = await subs.meta.get(key);
        return (bytes && decodeMetaValue(key, bytes, 'read setting')) as T | undefined;
      });
    },

    async putMeta(key, value) {
      assertMetaKey(key);
      // Encoded now, as IndexedDB clones on the call: later changes to `value` are not stored.
      const text = encodeMetaValue(value, 'save setting');
      await context.write('save setting', () => subs.meta.put(key, utf8(text)));
    },

    close() {
      context.close();
    },

    whenClosed: () => context.whenClosed(),
  };
}
