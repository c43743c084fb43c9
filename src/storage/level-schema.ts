/**
 * The LevelDB ledger database's key layout (level-ledger-store.ts). One
 * LevelDB directory per identity and network; every record lives in a
 * sublevel (abstract-level prefixes its keys with `!name!`), keys are UTF-8
 * strings and values bytes. Per sublevel, key → value:
 *
 * - `sys`      'network' → the network name (UTF-8), written at creation;
 *              'schema' → LEVEL_SCHEMA_VERSION as decimal text.
 * - `blocks`   block hash → the canonical block encoding (core/ledger/block.ts).
 * - `headers`  block hash → the 149-byte canonical header, so listHeaders on
 *              start never reads a block body.
 * - `undo`     block hash → BlockUndo as JSON; only for blocks on the best chain.
 * - `accounts` PeerId → balance u64 | nonce u64 (16 bytes): the state at the tip.
 * - `chain`    'tip' → TipRecord as JSON (TIP_KEY, chain-records.ts).
 * - `txloc`    TxId → height u32 | block hash 32 bytes: where each
 *              transaction on the best chain sits.
 * - `txs`      TxId → StoredTx as JSON (bytes in hex, the id is the key).
 * - `txtime`   receivedAtMs as the 16 hex digits of its float64 big-endian
 *              bits, then the TxId → empty. For a non-negative double those
 *              bits sort as the number does, and both parts have fixed
 *              length, so a reverse scan is newest first with equal times by
 *              id descending: the order listRecentTxs promises.
 * - `meta`     setting key → the value as tagged JSON (level-meta-codec.ts).
 *
 * Hex keys sort as their bytes do, so listHeaders (by hash) and loadState's
 * accounts (by PeerId) come out of a forward scan already in contract order.
 */
import type { AbstractSublevel } from 'abstract-level';
import type { ClassicLevel } from 'classic-level';
import { toHex } from '../core/bytes.ts';
import type { TxId } from '../core/types.ts';

/** The schema version this code writes. Bump it and add an upgrade step in level-open.ts. */
export const LEVEL_SCHEMA_VERSION = 1;

/** The root database: string keys, byte values. */
export type LevelRoot = ClassicLevel<string, Uint8Array>;

/** A sublevel of the root, with its key and value types. */
export type LevelSublevel = AbstractSublevel<LevelRoot, string | Uint8Array, string, Uint8Array>;

/** Every sublevel of the layout above. */
export interface LedgerSublevels {
  sys: LevelSublevel;
  blocks: LevelSublevel;
  headers: LevelSublevel;
  undo: LevelSublevel;
  accounts: LevelSublevel;
  chain: LevelSublevel;
  txloc: LevelSublevel;
  txs: LevelSublevel;
  txtime: LevelSublevel;
  meta: LevelSublevel;
}

const NAMES: readonly (keyof LedgerSublevels)[] = ['sys', 'blocks', 'headers', 'undo', 'accounts', 'chain', 'txloc', 'txs', 'txtime', 'meta'];

/** The sublevels of `db`. */
export function ledgerSublevels(db: LevelRoot): LedgerSublevels {
  const entries = NAMES.map((name) => [name, db.sublevel<string, Uint8Array>(name, { keyEncoding: 'utf8', valueEncoding: 'view' })]);
  return Object.fromEntries(entries) as LedgerSublevels;
}

/** One operation of an atomic batch (LevelRoot.batch), on a sublevel of the root. */
export type LevelOp = { type: 'put'; sublevel: LevelSublevel; key: string; value: Uint8Array } | { type: 'del'; sublevel: LevelSublevel; key: string };

/** A put of `value` under `key` in `sublevel`, for a batch. */
export function putOp(sublevel: LevelSublevel, key: string, value: Uint8Array): LevelOp {
  return { type: 'put', sublevel, key, value };
}

/** A delete of `key` in `sublevel`, for a batch. */
export function delOp(sublevel: LevelSublevel, key: string): LevelOp {
  return { type: 'del', sublevel, key };
}

/** Length of the time part of a `txtime` key. */
export const TX_TIME_DIGITS = 16;

/**
 * The `txtime` key of a transaction received at `receivedAtMs` (finite, at
 * least 0, as normalizeStoredTx checks). `+ 0` turns -0, whose sign bit would
 * sort it after every other time, into 0.
 */
export function txTimeKey(receivedAtMs: number, id: TxId): string {
  const bits = new Uint8Array(8);
  new DataView(bits.buffer).setFloat64(0, receivedAtMs + 0);
  return toHex(bits) + id;
}
