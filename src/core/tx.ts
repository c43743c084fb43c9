/**
 * Transactions: signed transfers between accounts.
 *
 * Canonical encoding (docs/PROTOCOL.md, "Transaction"), 153 bytes, big-endian:
 *
 *   version u8 (=1) | from 32 | to 32 | amount u64 | fee u64 | nonce u64 | signature 64
 *
 * The signature covers `"tabmesh/tx/v1" || str8(network) || body`, where body
 * is the encoding without its signature. Binding the network name means a
 * transaction signed for one network is worthless on any other.
 * The id is SHA-256 of the full 153-byte encoding. Verification is strict
 * RFC 8032 (no malleable signatures), so one signed body has one id.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, ByteWriter, TruncatedInputError, concatBytes, fromHex, isHexOfLength, toHex, utf8 } from './bytes.ts';
import { InvalidArgumentError, accept, reject, type Result } from './result.ts';
import type { PeerId, Signer, TxId, VerifyItem } from './types.ts';

export const TX_VERSION = 1;
export const TX_BODY_BYTES = 1 + 32 + 32 + 8 + 8 + 8;
export const TX_BYTES = TX_BODY_BYTES + 64;
const TX_DOMAIN = utf8('tabmesh/tx/v1');

export interface UnsignedTx {
  from: PeerId;
  to: PeerId;
  /** Integer units, 1..2^53-1. */
  amount: number;
  /** Integer units, 0..2^53-1. */
  fee: number;
  /** The sender's sequence number; the ledger checks it is the next one. */
  nonce: number;
}

export interface Tx extends UnsignedTx {
  /** Hex Ed25519 signature (128 chars). */
  signature: string;
}

function assertSafeInteger(value: unknown, field: string, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`${field} must be an integer of at least ${min} and at most ${Number.MAX_SAFE_INTEGER}, got ${String(value)}`);
  }
}

function assertPeerId(value: unknown, field: string): asserts value is PeerId {
  if (!isHexOfLength(value, 32)) throw new InvalidArgumentError(`${field} must be 64 lower-case hex characters (an Ed25519 public key)`);
}

/** Checks every field of an unsigned transaction, throwing InvalidArgumentError naming the bad one. */
export function assertUnsignedTx(tx: UnsignedTx): void {
  assertPeerId(tx.from, 'from');
  assertPeerId(tx.to, 'to');
  assertSafeInteger(tx.amount, 'amount', 1);
  assertSafeInteger(tx.fee, 'fee', 0);
  assertSafeInteger(tx.nonce, 'nonce', 0);
}

/** The 89-byte body that the signature covers (after the domain and network). */
export function encodeTxBody(tx: UnsignedTx): Uint8Array {
  assertUnsignedTx(tx);
  return new ByteWriter()
    .u8(TX_VERSION)
    .bytes(fromHex(tx.from)!)
    .bytes(fromHex(tx.to)!)
    .u64(tx.amount)
    .u64(tx.fee)
    .u64(tx.nonce)
    .finish();
}

/** `"tabmesh/tx/v1" || str8(network)` per network name: a tab uses one or two. */
const signingPrefixes = new Map<string, Uint8Array>();

function signingPrefix(network: string): Uint8Array {
  let prefix = signingPrefixes.get(network);
  if (!prefix) {
    prefix = concatBytes(TX_DOMAIN, new ByteWriter().str8(network).finish());
    if (signingPrefixes.size < 16) signingPrefixes.set(network, prefix);
  }
  return prefix;
}

/** The exact bytes an Ed25519 signature over this transaction signs. */
export function txSigningBytes(network: string, tx: UnsignedTx): Uint8Array {
  return concatBytes(signingPrefix(network), encodeTxBody(tx));
}

/**
 * Canonical encodings of frozen transactions (decodeTx and signTx freeze
 * theirs, so the fields cannot change under the bytes). A received
 * transaction keeps the bytes it was parsed from; the relay, the verifier,
 * the id, blocks, frames and storage all need them, and encoding again from
 * the hex fields was the largest single cost in a tab's own code at 100 tx/s
 * (src/core/bytes.ts, 7.5% of the main thread, measured). Never handed out:
 * encodeTx returns a copy.
 */
const encodingOfFrozen = new WeakMap<Tx, Uint8Array>();

/** The canonical bytes, shared for frozen transactions; callers inside this module must not change them. */
function canonicalBytes(tx: Tx): Uint8Array {
  const known = encodingOfFrozen.get(tx);
  if (known) return known;
  if (!isHexOfLength(tx.signature, 64)) throw new InvalidArgumentError('signature must be 128 lower-case hex characters');
  const bytes = concatBytes(encodeTxBody(tx), fromHex(tx.signature)!);
  if (Object.isFrozen(tx)) encodingOfFrozen.set(tx, bytes);
  return bytes;
}

export function encodeTx(tx: Tx): Uint8Array {
  return canonicalBytes(tx).slice();
}

/** Parses the canonical encoding; every malformed field is a named rejection. The result is frozen (see txId). */
export function decodeTx(bytes: Uint8Array): Result<Tx> {
  if (bytes.length > TX_BYTES) return reject('too-large', `transaction is ${bytes.length} bytes, limit ${TX_BYTES}`);
  const reader = new ByteReader(bytes);
  try {
    const version = reader.u8();
    if (version !== TX_VERSION) return reject('bad-version', `transaction version ${version}, expected ${TX_VERSION}`);
    const from = toHex(reader.bytes(32));
    const to = toHex(reader.bytes(32));
    const amount = reader.u64();
    const fee = reader.u64();
    const nonce = reader.u64();
    const signature = toHex(reader.bytes(64));
    if (amount === undefined || amount < 1) return reject('bad-field', 'amount must be between 1 and 2^53-1');
    if (fee === undefined) return reject('bad-field', 'fee must be at most 2^53-1');
    if (nonce === undefined) return reject('bad-field', 'nonce must be at most 2^53-1');
    const tx: Tx = Object.freeze({ from, to, amount, fee, nonce, signature });
    // Exactly TX_BYTES were read (longer input was refused above), and they are canonical: keep a copy.
    encodingOfFrozen.set(tx, bytes.slice(0, TX_BYTES));
    return accept(tx);
  } catch (error) {
    if (error instanceof TruncatedInputError) return reject('truncated', `transaction: ${error.message}`);
    throw error;
  }
}

/**
 * Ids already computed, for frozen transactions only (decodeTx and signTx
 * freeze theirs): a frozen object cannot change under its cached id. One
 * transaction's id is needed by the relay, the mempool, compact blocks, the
 * ledger and the page, and re-encoding it each time was ~10% of a tab's main
 * thread at 100 tx/s.
 */
const idOfFrozen = new WeakMap<Tx, TxId>();

/** SHA-256 of the canonical encoding, as hex. */
export function txId(tx: Tx): TxId {
  const known = idOfFrozen.get(tx);
  if (known !== undefined) return known;
  const id = toHex(sha256(canonicalBytes(tx)));
  if (Object.isFrozen(tx)) idOfFrozen.set(tx, id);
  return id;
}

/** Signs `tx` with `signer`, whose key must be the sender's. */
export async function signTx(network: string, tx: UnsignedTx, signer: Signer): Promise<Tx> {
  if (tx.from !== signer.peerId) throw new InvalidArgumentError('from must be the signer\'s own peer id');
  const signature = await signer.sign(txSigningBytes(network, tx));
  return Object.freeze({ ...tx, signature: toHex(signature) });
}

/** The verification job for a transaction's signature, for the worker pool. */
export function txVerifyItem(network: string, tx: Tx): VerifyItem {
  const bytes = canonicalBytes(tx);
  // Views into the shared encoding are safe: the pool copies items into its own request buffer.
  return {
    publicKey: bytes.subarray(1, 33),
    message: concatBytes(signingPrefix(network), bytes.subarray(0, TX_BODY_BYTES)),
    signature: bytes.subarray(TX_BODY_BYTES),
  };
}
