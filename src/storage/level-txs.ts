/**
 * The wallet history in the LevelDB store: each StoredTx is a `txs` record
 * plus its `txtime` index entry (level-schema.ts), and every write here keeps
 * the two in step inside the caller's batch. Unlike the IndexedDB store,
 * which leaves confirmed records as they are and works out their status from
 * `blockTxs` when read (withLocation, chain-commits.ts), a block commit here
 * rewrites the records it confirms, as the memory store does: LevelDB reads
 * the block's few history records in one getMany, and every read is then a
 * plain get.
 */
import type { AbstractSnapshot } from 'abstract-level';
import { fromHex, isHexOfLength, toHex } from '../core/bytes.ts';
import type { TxId } from '../core/types.ts';
import { normalizeStoredTx, type StoredTx } from './ledger-store.ts';
import { checked, damagedRecord, encodeJson, parseJson } from './level-records.ts';
import { delOp, putOp, txTimeKey, type LedgerSublevels, type LevelOp } from './level-schema.ts';

/** A `txs` value: the record without its id (the key), bytes in hex. */
interface TxJson {
  bytes: string;
  receivedAtMs: number;
  status: StoredTx['status'];
  height?: number;
  source: StoredTx['source'];
}

/** A `txs` value: the record's known fields as JSON, bytes in hex. */
export function encodeStoredTx(tx: StoredTx): Uint8Array {
  const record: TxJson = { bytes: toHex(tx.bytes), receivedAtMs: tx.receivedAtMs, status: tx.status, source: tx.source };
  if (tx.height !== undefined) record.height = tx.height;
  return encodeJson(record);
}

/** A stored history record: JSON that passes normalizeStoredTx under the id of its key. */
export function readStoredTx(id: string, value: Uint8Array, operation: string): StoredTx {
  const what = `transaction record ${id}`;
  const parsed = parseJson(value, operation, what, damagedRecord);
  if (typeof parsed !== 'object' || parsed === null) throw damagedRecord(operation, `${what} is not an object`);
  const record = parsed as Partial<TxJson>;
  const bytes = typeof record.bytes === 'string' ? fromHex(record.bytes) : undefined;
  if (!bytes) throw damagedRecord(operation, `${what} has no hex bytes`);
  if (!isHexOfLength(id, 32)) throw damagedRecord(operation, `a transaction record is stored under the malformed key ${JSON.stringify(id)}`);
  return checked(
    operation,
    what,
    () => normalizeStoredTx({ id, bytes, receivedAtMs: record.receivedAtMs!, status: record.status!, height: record.height, source: record.source! }),
    damagedRecord,
  );
}

/** The stored history records of `ids`, in order (undefined where there is none), optionally from a snapshot. */
export async function readStoredTxs(subs: LedgerSublevels, ids: readonly TxId[], operation: string, snapshot?: AbstractSnapshot): Promise<(StoredTx | undefined)[]> {
  if (ids.length === 0) return [];
  const values = await subs.txs.getMany([...ids], snapshot ? { snapshot } : {});
  return values.map((value, i) => value && readStoredTx(ids[i]!, value, operation));
}

/**
 * The batch operations that replace `previous` (the stored record of the
 * same id, if any) by `next`: the record, its index entry, and the removal
 * of the old entry when the arrival time changed.
 */
export function txWriteOps(subs: LedgerSublevels, previous: StoredTx | undefined, next: StoredTx): LevelOp[] {
  const key = txTimeKey(next.receivedAtMs, next.id);
  const ops = [putOp(subs.txs, next.id, encodeStoredTx(next)), putOp(subs.txtime, key, new Uint8Array(0))];
  const previousKey = previous && txTimeKey(previous.receivedAtMs, previous.id);
  if (previousKey !== undefined && previousKey !== key) ops.unshift(delOp(subs.txtime, previousKey));
  return ops;
}

/**
 * Collects the history writes of one batch: each write sees the ones before
 * it in the same batch (two writes of one id in one putTxs call, or a record
 * a block commit confirmed), so the index never keeps a stale entry.
 */
export class TxBatch {
  readonly ops: LevelOp[] = [];
  private readonly current = new Map<TxId, StoredTx | undefined>();

  constructor(private readonly subs: LedgerSublevels) {}

  /** Records what is stored for `id` before this batch (from readStoredTxs). */
  seen(id: TxId, stored: StoredTx | undefined): void {
    if (!this.current.has(id)) this.current.set(id, stored);
  }

  /** The record of `id` as this batch leaves it. */
  get(id: TxId): StoredTx | undefined {
    return this.current.get(id);
  }

  /** Replaces the record of `next.id`, which seen() must have been told about. */
  write(next: StoredTx): void {
    // A write without the stored record would leave that record's old index entry behind.
    if (!this.current.has(next.id)) throw new Error(`TxBatch.write: the stored record of ${next.id} was not read first`);
    this.ops.push(...txWriteOps(this.subs, this.current.get(next.id), next));
    this.current.set(next.id, next);
  }
}
