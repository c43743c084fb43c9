/**
 * Block and header codecs, block hashes, Merkle roots and the genesis blocks
 * (docs/PROTOCOL.md, "Blocks").
 *
 * Header, 149 bytes, big-endian:
 *   version u8 (≥ 1) | prevHash 32 | height u32 | timeMs u64 | target 32 | merkleRoot 32 | nonce u64 | miner 32
 * The version carries deployment signals (deployments.ts): 0x20 | bits.
 * Block: header | txCount u32 | txCount × 153-byte transaction encodings (src/core/tx.ts).
 * There is no coinbase transaction: the miner field receives reward + fees.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, ByteWriter, TruncatedInputError, concatBytes, fromHex, isHexOfLength, toHex, utf8 } from '../bytes.ts';
import { InvalidArgumentError } from '../result.ts';
import { TX_BYTES, decodeTx, encodeTx, txId, type Tx } from '../tx.ts';
import type { BlockHash, TxId } from '../types.ts';
import { chainParams, type ChainParams } from './params.ts';
import { hashMeetsTarget, targetBytes, targetToHex } from './pow.ts';
import type { Block, BlockHeader, LedgerReject, LedgerRejectReason, LedgerResult } from './types.ts';

/** The genesis version, and the lowest valid one. */
export const BLOCK_VERSION = 1;

/**
 * Every version from 1 to 255 is valid; only 0 (never valid) is refused.
 * Until deployments, a version other than 1 was refused, so that rule's
 * relaxation was the last flag day: builds before it reject the signalling
 * versions 0x20-0x3f (docs/PROTOCOL.md, "Deployments"). From here on a
 * version means only what a deployment's bit says, and unknown versions
 * are accepted, as BIP9 accepts versions with other top bits.
 */
export function isValidBlockVersion(version: number): boolean {
  return Number.isInteger(version) && version >= BLOCK_VERSION && version <= 0xff;
}
export const BLOCK_HEADER_BYTES = 1 + 32 + 4 + 8 + 32 + 32 + 8 + 32;
/** Byte offset of the nonce inside the header encoding; miners rewrite only these 8 bytes. */
export const HEADER_NONCE_OFFSET = 1 + 32 + 4 + 8 + 32 + 32;
export const ZERO_HASH: BlockHash = '0'.repeat(64);

export function ledgerReject(reason: LedgerRejectReason, detail: string, txIndex?: number): LedgerReject {
  return txIndex === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, txIndex };
}

export function ledgerAccept<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

function assertHex32(value: unknown, field: string): asserts value is string {
  if (!isHexOfLength(value, 32)) throw new InvalidArgumentError(`${field} must be 64 lower-case hex characters`);
}

function assertUint(value: unknown, field: string, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(`${field} must be an integer in [0, ${max}], got ${String(value)}`);
  }
}

/** Checks every header field, throwing InvalidArgumentError naming the bad one. */
export function assertHeader(header: BlockHeader): void {
  assertUint(header.version, 'version', 255);
  assertHex32(header.prevHash, 'prevHash');
  assertUint(header.height, 'height', 0xffff_ffff);
  assertUint(header.timeMs, 'timeMs', Number.MAX_SAFE_INTEGER);
  assertHex32(header.target, 'target');
  assertHex32(header.merkleRoot, 'merkleRoot');
  assertUint(header.nonce, 'nonce', Number.MAX_SAFE_INTEGER);
  assertHex32(header.miner, 'miner');
}

/** The canonical 149-byte encoding; throws InvalidArgumentError on a malformed header. */
export function encodeHeader(header: BlockHeader): Uint8Array {
  assertHeader(header);
  return new ByteWriter()
    .u8(header.version)
    .bytes(fromHex(header.prevHash)!)
    .u32(header.height)
    .u64(header.timeMs)
    .bytes(fromHex(header.target)!)
    .bytes(fromHex(header.merkleRoot)!)
    .u64(header.nonce)
    .bytes(fromHex(header.miner)!)
    .finish();
}

function readHeader(reader: ByteReader): LedgerResult<BlockHeader> {
  const version = reader.u8();
  if (!isValidBlockVersion(version)) return ledgerReject('bad-version', `header version ${version}, expected at least ${BLOCK_VERSION}`);
  const prevHash = toHex(reader.bytes(32));
  const height = reader.u32();
  const timeMs = reader.u64();
  const target = toHex(reader.bytes(32));
  const merkleRoot = toHex(reader.bytes(32));
  const nonce = reader.u64();
  const miner = toHex(reader.bytes(32));
  if (timeMs === undefined) return ledgerReject('bad-field', 'timeMs must be at most 2^53-1');
  if (nonce === undefined) return ledgerReject('bad-field', 'nonce must be at most 2^53-1');
  if (target === ZERO_HASH) return ledgerReject('bad-target', 'target must not be zero');
  return ledgerAccept({ version, prevHash, height, timeMs, target, merkleRoot, nonce, miner });
}

function truncated(what: string, error: unknown): LedgerReject {
  if (error instanceof TruncatedInputError) return ledgerReject('truncated', `${what}: ${error.message}`);
  throw error;
}

/** Parses exactly one 149-byte header; every malformed field is a named rejection. */
export function decodeHeader(bytes: Uint8Array): LedgerResult<BlockHeader> {
  if (bytes.length > BLOCK_HEADER_BYTES) return ledgerReject('too-large', `header is ${bytes.length} bytes, expected ${BLOCK_HEADER_BYTES}`);
  try {
    return readHeader(new ByteReader(bytes));
  } catch (error) {
    return truncated('header', error);
  }
}

/** SHA-256 of the header encoding, as hex. */
export function blockHash(header: BlockHeader): BlockHash {
  return toHex(sha256(encodeHeader(header)));
}

export function encodeBlock(block: Block): Uint8Array {
  const parts = [encodeHeader(block.header), new ByteWriter().u32(block.txs.length).finish()];
  for (const tx of block.txs) parts.push(encodeTx(tx));
  return concatBytes(...parts);
}

/** The limits decodeBlock enforces before it allocates anything. */
export type BlockLimits = Pick<ChainParams, 'maxBlockTxs' | 'maxBlockBytes'>;

/**
 * Parses a block. The size and the transaction count are checked before any
 * transaction is decoded, and the remaining length must be exactly
 * txCount × 153 bytes.
 */
export function decodeBlock(bytes: Uint8Array, limits: BlockLimits): LedgerResult<Block> {
  if (bytes.length > limits.maxBlockBytes) return ledgerReject('too-large', `block is ${bytes.length} bytes, limit ${limits.maxBlockBytes}`);
  const reader = new ByteReader(bytes);
  let header: BlockHeader;
  let count: number;
  try {
    const parsed = readHeader(reader);
    if (!parsed.ok) return parsed;
    header = parsed.value;
    count = reader.u32();
  } catch (error) {
    return truncated('block', error);
  }
  if (count > limits.maxBlockTxs) return ledgerReject('too-many-txs', `block has ${count} transactions, limit ${limits.maxBlockTxs}`);
  const expected = count * TX_BYTES;
  if (reader.remaining < expected) return ledgerReject('truncated', `block declares ${count} transactions (${expected} bytes), ${reader.remaining} left`);
  if (reader.remaining > expected) return ledgerReject('trailing-bytes', `${reader.remaining - expected} bytes after ${count} transactions`);
  const txs: Tx[] = [];
  for (let i = 0; i < count; i++) {
    const tx = decodeTx(reader.bytes(TX_BYTES));
    if (!tx.ok) return ledgerReject('bad-tx', `transaction ${i}: ${tx.reason}: ${tx.detail}`, i);
    txs.push(tx.value);
  }
  return ledgerAccept({ header, txs });
}

/**
 * Bitcoin's Merkle root over transaction ids: hash pairs of 32-byte ids with
 * SHA-256 (single, not Bitcoin's double SHA-256), duplicating the last one on
 * odd levels. One id is its own root; an empty block's root is 32 zero bytes
 * (Bitcoin never has an empty block: it always has a coinbase).
 * Duplicating the last id lets [a, b, c] and [a, b, c, c] share a root
 * (CVE-2012-2459): blocks with a repeated id are refused without marking the
 * header invalid (consensus.ts, checkBlockBody).
 */
export function merkleRoot(txIds: readonly TxId[]): string {
  if (txIds.length === 0) return ZERO_HASH;
  let level = txIds.map((id) => {
    const bytes = fromHex(id);
    if (!bytes || bytes.length !== 32) throw new InvalidArgumentError('transaction ids must be 64 lower-case hex characters');
    return bytes;
  });
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256(concatBytes(level[i]!, level[i + 1] ?? level[i]!)));
    level = next;
  }
  return toHex(level[0]!);
}

/** The ids of a block's transactions, in order. */
export function blockTxIds(block: Block): TxId[] {
  return block.txs.map(txId);
}

const genesisCache = new Map<string, Block>();

/**
 * The one genesis block of `network`: height 0, zero prevHash and miner, the
 * network's genesis time and target, nonce 0, no transactions, and
 * merkleRoot = SHA-256("tabmesh genesis " + network). That root does not match
 * the (empty) transaction list: it is what makes each network's genesis, and
 * so every chain built on it, distinct. Genesis is fixed, never mined and not
 * checked for proof-of-work. `params` overrides (tests, simulator) change its
 * time and target, and so its hash.
 */
export function genesisBlock(network: string, params: Readonly<Pick<ChainParams, 'genesisTimeMs' | 'genesisTarget'>> = chainParams(network)): Block {
  const key = `${params.genesisTimeMs}/${params.genesisTarget}/${network}`;
  let block = genesisCache.get(key);
  if (!block) {
    const header: BlockHeader = {
      version: BLOCK_VERSION,
      prevHash: ZERO_HASH,
      height: 0,
      timeMs: params.genesisTimeMs,
      target: targetToHex(params.genesisTarget),
      merkleRoot: toHex(sha256(utf8(`tabmesh genesis ${network}`))),
      nonce: 0,
      miner: ZERO_HASH,
    };
    const txs: Tx[] = [];
    block = Object.freeze({ header: Object.freeze(header), txs: Object.freeze(txs) as Tx[] });
    genesisCache.set(key, block);
  }
  return block;
}

/**
 * Tries nonces startNonce, startNonce+1, … (at most `maxTries`) and returns the
 * first whose header meets its own target, or undefined. Synchronous and pure:
 * the mining worker calls it in slices; tests on TEST params need ~16 tries.
 */
export function searchNonce(header: BlockHeader, startNonce = 0, maxTries = Number.MAX_SAFE_INTEGER): number | undefined {
  const bytes = encodeHeader({ ...header, nonce: 0 });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limit = targetBytes(header.target);
  const end = Math.min(Number.MAX_SAFE_INTEGER, startNonce + maxTries - 1);
  for (let nonce = startNonce; nonce <= end; nonce++) {
    // Two u32 writes instead of setBigUint64(BigInt(nonce)): no bigint allocation per try.
    view.setUint32(HEADER_NONCE_OFFSET, Math.floor(nonce / 0x1_0000_0000));
    view.setUint32(HEADER_NONCE_OFFSET + 4, nonce >>> 0);
    if (hashMeetsTarget(sha256(bytes), limit)) return nonce;
  }
  return undefined;
}
