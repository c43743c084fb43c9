/**
 * The chain records both LedgerStores keep, and the checks at their edge.
 * Both implementations store exactly these shapes, built here, so the memory
 * store cannot drift from the IndexedDB one in what it accepts or returns.
 *
 * Every `normalize*` checks a caller's record (InvalidArgumentError naming
 * the field) and returns a fresh copy holding only the known fields, so a
 * caller mutating its object later cannot change what was stored.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { isHexOfLength, toHex } from '../core/bytes.ts';
import { describeValue } from '../core/describe-value.ts';
import { BLOCK_HEADER_BYTES, blockHash, decodeBlock, encodeBlock, type BlockLimits } from '../core/ledger/block.ts';
import { TX_BYTES } from '../core/tx.ts';
import type { Account, Block, BlockHeader, BlockUndo, TipRecord } from '../core/ledger/types.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { BlockHash, PeerId, TxId } from '../core/types.ts';
import { StorageError } from './storage-error.ts';

/**
 * A block as stored: its canonical encoding (src/core/ledger/block.ts), 149
 * header bytes plus 153 per transaction. That is about a third of the
 * structured-clone size of the decoded objects with their hex strings, and
 * reading it back goes through the core's own decoder.
 */
export type StoredBlock = Uint8Array;

/** Where a confirmed transaction sits on the best chain. */
export interface TxLocation {
  blockHash: BlockHash;
  height: number;
}

/** A block ready to store: its hash (the key), header, encoding, and transaction ids in block order. */
export interface BlockEntry {
  hash: BlockHash;
  header: BlockHeader;
  bytes: StoredBlock;
  txIds: TxId[];
}

/** The key of the single record in the `chain` store. */
export const TIP_KEY = 'tip';

/**
 * Storage decodes only blocks it encoded itself, after the ledger validated
 * them under the network's limits; a stored block is never refused for size.
 * Damage is still caught: the length must be exactly header + count × 153.
 */
const STORED_BLOCK_LIMITS: BlockLimits = { maxBlockTxs: Number.MAX_SAFE_INTEGER, maxBlockBytes: Number.MAX_SAFE_INTEGER };

function assertNonNegativeInteger(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${field} must be a non-negative safe integer, got ${describeValue(value)}`);
  }
}

function assertObject(value: unknown, field: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new InvalidArgumentError(`${field} must be an object`);
}

function assertString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${field} must be a string`);
}

export function assertBlockHash(hash: unknown, field = 'hash'): asserts hash is BlockHash {
  if (!isHexOfLength(hash, 32)) throw new InvalidArgumentError(`${field} must be 64 lower-case hex characters (a SHA-256 BlockHash)`);
}

function assertPeerId(id: unknown, field: string): asserts id is PeerId {
  if (!isHexOfLength(id, 32)) throw new InvalidArgumentError(`${field} must be 64 lower-case hex characters (a PeerId)`);
}

/** A copy of the header's known fields. */
export function copyHeader(header: BlockHeader): BlockHeader {
  const { version, prevHash, height, timeMs, target, merkleRoot, nonce, miner } = header;
  return { version, prevHash, height, timeMs, target, merkleRoot, nonce, miner };
}

/** Transaction `index` of a stored block, as a view into it: after the header and the u32 count, 153 bytes each. */
export function storedTxBytes(bytes: StoredBlock, index: number): Uint8Array {
  const start = BLOCK_HEADER_BYTES + 4 + index * TX_BYTES;
  return bytes.subarray(start, start + TX_BYTES);
}

/**
 * Checks `block` (the core's encoders name a bad field) and builds what both
 * stores write for it. The ids are hashed from the block's own encoding
 * (a transaction's id is SHA-256 of its 153 bytes, tx.ts txId) rather than
 * encoding every transaction a second time: hex decoding showed in the
 * commit path of the joiner's profile (docs/PERFORMANCE.md, "Late-joiner sync").
 */
export function toBlockEntry(block: Block, field = 'block'): BlockEntry {
  assertObject(block, field);
  assertObject(block.header, `${field}.header`);
  if (!Array.isArray(block.txs)) throw new InvalidArgumentError(`${field}.txs must be an array`);
  const header = copyHeader(block.header);
  const bytes = encodeBlock(block);
  const txIds = block.txs.map((_tx, index) => toHex(sha256(storedTxBytes(bytes, index))));
  return { hash: blockHash(header), header, bytes, txIds };
}

/** A StorageError for records on disk that contradict each other or do not decode. */
export function corrupt(operation: string, detail: string): StorageError {
  return new StorageError('corrupt', operation, `Could not ${operation}: the stored chain is damaged (${detail}). The ledger must be rebuilt from stored blocks.`);
}

/**
 * Decodes a stored block (fresh objects every call). An encoding that does
 * not decode, or whose header does not hash to its key, is damage on disk: a
 * StorageError of kind 'corrupt', never a wrong block.
 */
export function fromStoredBlock(hash: BlockHash, bytes: StoredBlock, operation: string): Block {
  const decoded = decodeBlock(bytes, STORED_BLOCK_LIMITS);
  if (!decoded.ok) throw corrupt(operation, `block ${hash} does not decode: ${decoded.reason}: ${decoded.detail}`);
  if (blockHash(decoded.value.header) !== hash) throw corrupt(operation, `block ${hash} is stored with a header that hashes differently`);
  return decoded.value;
}

export function normalizeAccount(account: Account, field: string): Account {
  assertObject(account, field);
  assertNonNegativeInteger(account.balance, `${field}.balance`);
  assertNonNegativeInteger(account.nonce, `${field}.nonce`);
  return { balance: account.balance, nonce: account.nonce };
}

/**
 * Checks a list of [id, account] pairs. Ids must be distinct: two entries for
 * one account would make the outcome depend on write order.
 */
export function normalizeAccountList<A extends Account | null>(accounts: [PeerId, A][], field: string, allowNull: boolean): [PeerId, A][] {
  if (!Array.isArray(accounts)) throw new InvalidArgumentError(`${field} must be an array of [PeerId, Account] pairs`);
  const seen = new Set<PeerId>();
  return accounts.map((entry, index) => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new InvalidArgumentError(`${field}[${index}] must be a [PeerId, Account] pair`);
    const [id, account] = entry;
    assertPeerId(id, `${field}[${index}][0]`);
    if (seen.has(id)) throw new InvalidArgumentError(`${field} lists account ${id} twice`);
    seen.add(id);
    if (account === null) {
      if (!allowNull) throw new InvalidArgumentError(`${field}[${index}][1] must be an Account, not null`);
      return [id, null as A];
    }
    return [id, normalizeAccount(account, `${field}[${index}][1]`) as A];
  });
}

export function normalizeUndo(undo: BlockUndo, field = 'undo'): BlockUndo {
  assertObject(undo, field);
  assertBlockHash(undo.hash, `${field}.hash`);
  assertString(undo.prevStateHash, `${field}.prevStateHash`);
  if (!Array.isArray(undo.before)) throw new InvalidArgumentError(`${field}.before must be an array of {id, account}`);
  const seen = new Set<PeerId>();
  const before = undo.before.map((entry, index) => {
    const at = `${field}.before[${index}]`;
    assertObject(entry, at);
    assertPeerId(entry.id, `${at}.id`);
    if (seen.has(entry.id)) throw new InvalidArgumentError(`${field}.before lists account ${entry.id} twice`);
    seen.add(entry.id);
    return { id: entry.id, account: entry.account === null ? null : normalizeAccount(entry.account, `${at}.account`) };
  });
  return { hash: undo.hash, before, prevStateHash: undo.prevStateHash };
}

/** A copy of stored undo data, for a caller to own. */
export function copyUndo(undo: BlockUndo): BlockUndo {
  return { hash: undo.hash, before: undo.before.map(({ id, account }) => ({ id, account: account && { ...account } })), prevStateHash: undo.prevStateHash };
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/** Checks a tip record; returns a copy of its known fields. */
export function normalizeTip(tip: TipRecord, field = 'tip'): TipRecord {
  assertObject(tip, field);
  assertBlockHash(tip.hash, `${field}.hash`);
  assertNonNegativeInteger(tip.height, `${field}.height`);
  if (typeof tip.chainWork !== 'string' || !DECIMAL.test(tip.chainWork)) {
    throw new InvalidArgumentError(`${field}.chainWork must be a decimal string without leading zeros, got ${describeValue(tip.chainWork)}`);
  }
  assertString(tip.stateHash, `${field}.stateHash`);
  return { hash: tip.hash, height: tip.height, chainWork: tip.chainWork, stateHash: tip.stateHash };
}
