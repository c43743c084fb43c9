/**
 * How every operation of the LevelDB store runs: failures become
 * StorageErrors naming the directory, calls after close() reject with kind
 * 'closed', and writes run one at a time in call order.
 *
 * Why one at a time: classic-level runs each write on libuv's thread pool,
 * so two writes issued together may land in either order (a putMeta of 5
 * then 6 could leave 5), and a chain commit reads the stored tip before it
 * writes (checkConnect). IndexedDB orders its transactions; the queue gives
 * the same guarantee. Reads do not wait in it: a read sees every write whose
 * promise has resolved, and reads that need one consistent view of several
 * records use a LevelDB snapshot (withSnapshot).
 */
import type { AbstractSnapshot } from 'abstract-level';
import { InvalidArgumentError } from '../core/result.ts';
import type { Logger } from '../core/types.ts';
import { levelStorageError, trackClose } from './level-open.ts';
import type { LedgerSublevels, LevelOp, LevelRoot } from './level-schema.ts';
import { closedStoreError } from './storage-error.ts';

/** The open database with the rules above: what the store's methods run on. */
export interface LevelContext {
  db: LevelRoot;
  subs: LedgerSublevels;
  /** Runs a read, turning failures into StorageErrors. */
  read<T>(operation: string, body: () => Promise<T>): Promise<T>;
  /** Runs `body` with one snapshot, so its reads see one state; releases the snapshot after. */
  withSnapshot<T>(operation: string, body: (snapshot: AbstractSnapshot) => Promise<T>): Promise<T>;
  /** Runs a write once every write called before it has finished. */
  write<T>(operation: string, body: () => Promise<T>): Promise<T>;
  /**
   * Writes `ops` in one LevelDB batch: all of them or, if the process dies
   * or the write fails, none (LevelDB appends a batch to its write-ahead log
   * as one checksummed record, and replays only whole records on open).
   * `durable` waits for the log to reach the disk (fdatasync), so the batch
   * and every write before it also survive a power cut.
   */
  batch(ops: readonly LevelOp[], durable?: boolean): Promise<void>;
  /** Refuses later calls, then closes the database once the queued writes are done. */
  close(): void;
  /** Resolves once close() has finished and LevelDB has released the directory. */
  whenClosed(): Promise<void>;
}

const CLOSED_REASON = 'the ledger store was closed.';

/** The context of the database `db` (with sublevels `subs`) at `path`. */
export function createLevelContext(db: LevelRoot, subs: LedgerSublevels, path: string, log: Logger): LevelContext {
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();
  let resolveClosed!: () => void;
  const closedPromise = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });

  async function run<T>(operation: string, body: () => Promise<T>): Promise<T> {
    if (closed) throw closedStoreError(operation, CLOSED_REASON);
    try {
      return await body();
    } catch (error) {
      // Closed while this ran: say so rather than surfacing LevelDB's "not open".
      if (closed) throw closedStoreError(operation, CLOSED_REASON);
      // A check that needed stored data is still the caller's mistake, not a storage failure.
      if (error instanceof InvalidArgumentError) throw error;
      throw levelStorageError(operation, path, error);
    }
  }

  return {
    db,
    subs,
    read: run,

    withSnapshot(operation, body) {
      return run(operation, async () => {
        const snapshot = db.snapshot();
        try {
          return await body(snapshot);
        } finally {
          await snapshot.close();
        }
      });
    },

    write(operation, body) {
      const result = queue.then(() => run(operation, body));
      // The queue only orders writes; each caller sees its own outcome.
      queue = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },

    batch: (ops, durable = false) => db.batch([...ops], { sync: durable }),

    close() {
      if (closed) return;
      closed = true;
      const done = queue
        .then(() => db.close())
        .catch((error: unknown) => log.warn('could not close the ledger database', { path, error: error instanceof Error ? error.message : String(error) }))
        .then(resolveClosed);
      trackClose(path, done);
    },

    whenClosed: () => closedPromise,
  };
}
