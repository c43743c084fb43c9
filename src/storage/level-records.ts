/**
 * How the LevelDB store encodes its chain records (layout: level-schema.ts),
 * and the check every stored record goes through on its way out. A record
 * that does not decode, or that contradicts its own key, is damage on disk:
 * a StorageError of kind 'corrupt' (corrupt(), chain-records.ts), never a
 * wrong value. The JSON records are checked by the same normalizers that
 * check a caller's records (chain-records.ts), so what can be read back is
 * exactly what could have been written.
 */
import { ByteReader, ByteWriter, fromHex, fromUtf8, isHexOfLength, toHex, utf8 } from '../core/bytes.ts';
import { BLOCK_HEADER_BYTES, blockHash, decodeHeader } from '../core/ledger/block.ts';
import type { Account, BlockHeader, BlockUndo, TipRecord } from '../core/ledger/types.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { BlockHash, PeerId } from '../core/types.ts';
import { corrupt, normalizeTip, normalizeUndo, type TxLocation } from './chain-records.ts';
import { StorageError } from './storage-error.ts';

/** Bytes of an `accounts` value: balance u64, nonce u64. */
const ACCOUNT_BYTES = 16;
/** Bytes of a `txloc` value: height u32, block hash. */
const TX_LOCATION_BYTES = 4 + 32;

/**
 * Runs `read`, turning the InvalidArgumentError a normalizer throws for a bad
 * field into 'corrupt': at this point the field came from disk, not from a caller.
 */
export function checked<T>(operation: string, what: string, read: () => T, damaged: Damaged = corrupt): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw damaged(operation, `${what}: ${error.message}`);
    throw error;
  }
}

/** Builds the 'corrupt' StorageError for a damaged record: corrupt() for the chain, damagedRecord() for the rest. */
export type Damaged = (operation: string, detail: string) => StorageError;

/**
 * A damaged record outside the chain (a history record, a setting): the
 * ledger's rebuild from stored blocks would not restore it, so corrupt()'s
 * advice does not apply.
 */
export function damagedRecord(operation: string, detail: string): StorageError {
  return new StorageError('corrupt', operation, `Could not ${operation}: a stored record is damaged (${detail}).`);
}

/** A record's JSON as stored: UTF-8 bytes. Callers pass plain records built by the normalizers. */
export function encodeJson(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value));
}

/** Parses a stored JSON record; bytes that are not UTF-8 JSON are 'corrupt'. */
export function parseJson(bytes: Uint8Array, operation: string, what: string, damaged: Damaged = corrupt): unknown {
  const text = fromUtf8(bytes);
  if (text === undefined) throw damaged(operation, `${what} is not UTF-8`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) throw damaged(operation, `${what} is not JSON (${error.message})`);
    throw error;
  }
}

/** The stored header of `hash`: the 149-byte encoding, which must decode and hash to its key. */
export function readHeader(hash: string, bytes: Uint8Array, operation: string): BlockHeader {
  const decoded = bytes.length === BLOCK_HEADER_BYTES ? decodeHeader(bytes) : undefined;
  if (!decoded) throw corrupt(operation, `header ${hash} is ${bytes.length} bytes, not ${BLOCK_HEADER_BYTES}`);
  if (!decoded.ok) throw corrupt(operation, `header ${hash} does not decode: ${decoded.reason}: ${decoded.detail}`);
  if (blockHash(decoded.value) !== hash) throw corrupt(operation, `the header stored under ${hash} hashes differently`);
  return decoded.value;
}

/** An `accounts` value: balance u64, nonce u64 (the normalizers checked both are safe integers). */
export function encodeAccount(account: Account): Uint8Array {
  return new ByteWriter().u64(account.balance).u64(account.nonce).finish();
}

/** A stored account: a PeerId key and exactly 16 bytes, each u64 a safe integer. */
export function readAccount(id: string, bytes: Uint8Array, operation: string): [PeerId, Account] {
  if (!isHexOfLength(id, 32)) throw corrupt(operation, `an account is stored under the malformed key ${JSON.stringify(id)}`);
  if (bytes.length !== ACCOUNT_BYTES) throw corrupt(operation, `account ${id} is ${bytes.length} bytes, not ${ACCOUNT_BYTES}`);
  const reader = new ByteReader(bytes);
  const balance = reader.u64();
  const nonce = reader.u64();
  if (balance === undefined || nonce === undefined) throw corrupt(operation, `account ${id} holds a number above 2^53-1`);
  return [id, { balance, nonce }];
}

/** A `txloc` value: height u32, then the block hash's 32 bytes. */
export function encodeTxLocation(location: TxLocation): Uint8Array {
  return new ByteWriter().u32(location.height).bytes(fromHex(location.blockHash)!).finish();
}

/** A stored transaction location: exactly 36 bytes. */
export function readTxLocation(id: string, bytes: Uint8Array, operation: string): TxLocation {
  if (bytes.length !== TX_LOCATION_BYTES) throw corrupt(operation, `the location of transaction ${id} is ${bytes.length} bytes, not ${TX_LOCATION_BYTES}`);
  const reader = new ByteReader(bytes);
  const height = reader.u32();
  return { blockHash: toHex(reader.bytes(32)), height };
}

/** The stored tip: JSON that passes normalizeTip. */
export function readTip(bytes: Uint8Array, operation: string): TipRecord {
  return checked(operation, 'the stored tip', () => normalizeTip(parseJson(bytes, operation, 'the stored tip') as TipRecord));
}

/** Stored undo data of `hash`: it must check (normalizeUndo) and name its own block. */
export function readUndo(hash: BlockHash, bytes: Uint8Array, operation: string): BlockUndo {
  const what = `undo data of ${hash}`;
  const undo = checked(operation, what, () => normalizeUndo(parseJson(bytes, operation, what) as BlockUndo));
  if (undo.hash !== hash) throw corrupt(operation, `undo data stored under ${hash} is for block ${undo.hash}`);
  return undo;
}
