/**
 * The ChainStore half of the IndexedDB LedgerStore. Each commit is ONE
 * readwrite transaction over every store it touches, awaited to `tx.done`
 * (issue 3, "Persistence"): IndexedDB then keeps all of it or none of it, so
 * a tab closed mid-write, a full disk or a thrown error leaves the previous
 * tip and its accounts whole.
 *
 * Inside a transaction only IndexedDB requests are awaited; every other step
 * (hashing, decoding) is synchronous. Awaiting anything else would let the
 * transaction auto-commit half-written.
 *
 * A group commit (commitConnects) writes several connected blocks in one
 * transaction: the ledger joins the blocks that arrive while one commit is in
 * flight into the next (docs/PERFORMANCE.md, "Late-joiner sync").
 *
 * The block commit, run once per group during sync, issues raw IDB requests
 * (rawResults): idb's promise-and-Proxy wrapper around each request took
 * 7-15% of a syncing tab's main thread (docs/PERFORMANCE.md, "Late-joiner sync").
 */
import { unwrap, type IDBPTransaction, type StoreNames } from 'idb';
import type { Account, ChainStore, ConnectCommit, TipRecord } from '../core/ledger/types.ts';
import type { Clock, PeerId } from '../core/types.ts';
import {
  CONNECT_OPERATION,
  DISCONNECT_OPERATION,
  RESET_OPERATION,
  asPending,
  checkConnect,
  checkDisconnect,
  firstSeenInBlock,
  inHistoryOf,
  prepareConnects,
  prepareDisconnect,
  prepareReset,
  unconfirmedFrom,
  withLocation,
} from './chain-commits.ts';
import { TIP_KEY, assertBlockHash, copyHeader, fromStoredBlock, toBlockEntry } from './chain-records.ts';
import { CHAIN_COMMIT_STORES, blockTxsKey, toTxLocation, type BlockTxIds, type LedgerDb, type LedgerDbSchema } from './idb-ledger-schema.ts';
import { assertTxId } from './ledger-store.ts';

/** Runs `body` on the open database, turning failures into StorageErrors (idb-ledger-store.ts). */
export type RunOnDb = <T>(operation: string, body: (db: LedgerDb) => Promise<T>) => Promise<T>;

/**
 * Marks an IndexedDB request's promise as observed and returns it. When a
 * transaction aborts, every request already issued rejects with AbortError;
 * the commit reports the first cause, so those must not surface as unhandled
 * rejections (in the browser console, or failing the test run).
 */
type Track = <T>(request: Promise<T>) => Promise<T>;

/**
 * Runs `body` in one readwrite transaction over the chain stores and waits
 * for it to commit. `body` passes every request through `track`. If `body`
 * throws (a check failed, a put threw synchronously) or a request fails, the
 * transaction is aborted, so requests it had already issued are rolled back
 * instead of auto-committing.
 */
async function writeAtomically<S extends StoreNames<LedgerDbSchema>>(
  db: LedgerDb,
  stores: readonly S[],
  body: (tx: IDBPTransaction<LedgerDbSchema, S[], 'readwrite'>, track: Track) => Promise<void>,
): Promise<void> {
  const tx = db.transaction([...stores], 'readwrite');
  const issued: Promise<unknown>[] = [];
  const track: Track = (request) => {
    issued.push(request.then(noop, noop));
    return request;
  };
  try {
    await body(tx, track);
  } catch (error) {
    abortIfActive(tx);
    // Wait for the abort to finish, so the caller never sees the state change
    // after the rejection. Its AbortErrors are expected: `error` is the cause.
    await Promise.all([...issued, tx.done.then(noop, noop)]);
    throw error;
  }
  await tx.done;
}

/**
 * The results of raw requests issued in one transaction, in order. Requests
 * of a transaction complete in issue order, so one promise for the batch is
 * enough; the first failure rejects it (and aborts the transaction).
 */
export function rawResults(requests: readonly IDBRequest[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    if (requests.length === 0) return resolve([]);
    for (const request of requests) request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
    requests[requests.length - 1]!.onsuccess = () => resolve(requests.map((request) => request.result as unknown));
  });
}

/**
 * Adds `record` to `store` unless a record with its key is stored; then
 * `onStored` runs instead, and the refused add neither aborts the transaction
 * nor reaches its error handlers (the request's error event is cancelled and
 * stopped before it bubbles to the transaction). One request where reading
 * first would take two and a round trip.
 */
export function addUnlessStored(store: IDBObjectStore, record: unknown, onStored: () => void = noop): void {
  const request = store.add(record);
  request.onerror = (event) => {
    if (request.error?.name !== 'ConstraintError') return;
    event.preventDefault();
    event.stopPropagation();
    onStored();
  };
}

/** Used only to observe promises whose failure is reported another way (see Track). */
function noop(): void {
  return undefined;
}

function abortIfActive(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch (error) {
    // InvalidStateError: a failed request already aborted the transaction,
    // which rolled everything back; there is nothing left to undo.
    if ((error as { name?: unknown }).name !== 'InvalidStateError') throw error;
  }
}

/**
 * The chain methods of the IndexedDB LedgerStore, over the database `run`
 * opens. `clock` stamps transactions first seen inside a connected block;
 * those of `owner`'s history get a record (inHistoryOf).
 */
export function createIdbChainStore(run: RunOnDb, clock: Clock, owner: PeerId | undefined): ChainStore {
  /** One transaction for the whole group (ChainStore.commitConnects). */
  async function commitConnects(commits: readonly ConnectCommit[]): Promise<void> {
    const plans = prepareConnects(commits);
    await run(CONNECT_OPERATION, (db) =>
      writeAtomically(db, CHAIN_COMMIT_STORES, async (tx) => {
        const raw = unwrap(tx);
        const txs = raw.objectStore('txs');
        const chain = raw.objectStore('chain');
        const [stored] = await rawResults([chain.get(TIP_KEY)]);
        checkConnect(stored as TipRecord | undefined, plans[0]!);
        const nowMs = clock.nowMs();
        const blocks = raw.objectStore('blocks');
        const headers = raw.objectStore('headers');
        const undo = raw.objectStore('undo');
        const accounts = raw.objectStore('accounts');
        const blockTxs = raw.objectStore('blockTxs');
        // Writes are not awaited one by one: a failed one aborts the transaction, and writeAtomically awaits tx.done.
        for (const plan of plans) {
          const { entry, height } = plan;
          const { hash } = entry;
          blocks.put(entry.bytes, hash);
          headers.put(entry.header, hash);
          undo.put(plan.undo, hash);
          for (const [id, account] of plan.accounts) accounts.put(account, id);
          // The block's blockTxs record makes its transactions confirmed (withLocation); a wallet transaction's
          // history record is written only if it has none, so the block costs no read of the records it holds.
          blockTxs.put({ txIds: entry.txIds } satisfies BlockTxIds, blockTxsKey(height, hash));
          entry.txIds.forEach((_id, index) => {
            if (inHistoryOf(owner, plan.txs[index]!)) addUnlessStored(txs, firstSeenInBlock(entry, index, height, nowMs));
          });
        }
        chain.put(plans[plans.length - 1]!.tip, TIP_KEY);
      }),
    );
  }

  return {
    async putBlock(block) {
      const entry = toBlockEntry(block);
      await run('save block', (db) =>
        writeAtomically(db, ['blocks', 'headers'], async (tx, track) => {
          await Promise.all([track(tx.objectStore('blocks').put(entry.bytes, entry.hash)), track(tx.objectStore('headers').put(entry.header, entry.hash))]);
        }),
      );
    },

    async getBlock(hash) {
      assertBlockHash(hash);
      return run('read block', async (db) => {
        const record = await db.get('blocks', hash);
        return record && fromStoredBlock(hash, record, 'read block');
      });
    },

    async getUndo(hash) {
      assertBlockHash(hash);
      return run('read undo data', (db) => db.get('undo', hash));
    },

    async listHeaders() {
      return run('list headers', async (db) => (await db.getAll('headers')).map(copyHeader));
    },

    commitConnect: (commit) => commitConnects([commit]),

    commitConnects,

    async commitDisconnect(commit) {
      const plan = prepareDisconnect(commit);
      const { hash } = plan;
      await run(DISCONNECT_OPERATION, (db) =>
        writeAtomically(db, CHAIN_COMMIT_STORES, async (tx, track) => {
          const [stored, bytes] = await Promise.all([track(tx.objectStore('chain').get(TIP_KEY)), track(tx.objectStore('blocks').get(hash))]);
          const { height, txIds } = checkDisconnect(stored, bytes, plan);
          const txs = tx.objectStore('txs');
          const location = { blockHash: hash, height };
          const saved = await Promise.all(txIds.map((id) => track(txs.get(id))));
          await Promise.all([
            ...plan.accounts.map(([id, account]) => (account ? track(tx.objectStore('accounts').put(account, id)) : track(tx.objectStore('accounts').delete(id)))),
            track(tx.objectStore('undo').delete(hash)),
            track(tx.objectStore('blockTxs').delete(blockTxsKey(height, hash))),
            // Pending again: every record this block confirmed, by its own status or by its blockTxs record alone.
            ...saved.flatMap((record) => {
              const pending = record && unconfirmedFrom(withLocation(record, location), height);
              return pending ? [track(txs.put(pending))] : [];
            }),
            track(tx.objectStore('chain').put(plan.tip, TIP_KEY)),
          ]);
        }),
      );
    },

    async resetState(state) {
      const plan = prepareReset(state);
      await run(RESET_OPERATION, (db) =>
        writeAtomically(db, CHAIN_COMMIT_STORES, async (tx, track) => {
          const txs = tx.objectStore('txs');
          // Recovery is rare and the txs store is small (a wallet's own
          // history), so one getAll is simpler than a cursor.
          const all = await track(txs.getAll());
          const byTxId = tx.objectStore('blockTxs').index('byTxId');
          const placed = await Promise.all(all.map((record) => track(byTxId.getKey(record.id))));
          // Requests run in issue order: the clears land before the puts.
          await Promise.all([
            track(tx.objectStore('accounts').clear()),
            track(tx.objectStore('undo').clear()),
            track(tx.objectStore('blockTxs').clear()),
            ...plan.accounts.map(([id, account]) => track(tx.objectStore('accounts').put(account, id))),
            // Every confirmed record, by its own status or by blockTxs alone (withLocation), is pending again.
            ...all.flatMap((record, i) => (record.status === 'confirmed' || (placed[i] !== undefined && record.status !== 'pending') ? [track(txs.put(asPending(record)))] : [])),
            track(tx.objectStore('chain').put(plan.tip, TIP_KEY)),
          ]);
        }),
      );
    },

    async loadState() {
      return run('load chain state', async (db) => {
        const tx = db.transaction(['chain', 'accounts']);
        const accounts = tx.objectStore('accounts');
        // One read transaction: the tip and the accounts are the same snapshot.
        const [tip, ids, values] = await Promise.all([tx.objectStore('chain').get(TIP_KEY), accounts.getAllKeys(), accounts.getAll(), tx.done]);
        if (!tip) return undefined;
        return { tip, accounts: ids.map((id, i): [PeerId, Account] => [id, values[i]!]) };
      });
    },

    async getTxLocation(id) {
      assertTxId(id);
      return run('read transaction location', async (db) => toTxLocation(await db.getKeyFromIndex('blockTxs', 'byTxId', id)));
    },
  };
}
