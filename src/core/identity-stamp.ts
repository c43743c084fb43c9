/**
 * Identity stamps (docs/PROTOCOL.md, "Identity stamp"; issue 20 §2): a peer id
 * costs work. A stamp is a u64 nonce such that
 *
 *   SHA-256( pad32("tabmesh/id-stamp/v1") ‖ publicKey(32) ‖ nonce(u64 BE) )
 *
 * begins with at least `identityStampBits` zero bits (a network parameter,
 * params.ts): hashcash over the public key, as S/Kademlia's static crypto
 * puzzle binds node ids to work. Minting costs 2^bits hashes on average and
 * checking costs one, so a Sybil attacker pays per identity while honest
 * peers pay once per identity, and everyone checks for free.
 *
 * The stamp binds the key, not the network: one identity's stamp serves every
 * network whose difficulty it meets. The domain is padded to 32 bytes so the
 * first 64 bytes (domain and key) fill one SHA-256 block: a searcher
 * compresses them once (the midstate) and per nonce hashes only the 8-byte
 * tail, as the block miner does (worker/mine-protocol.ts).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, isHexOfLength, utf8 } from './bytes.ts';
import { InvalidArgumentError, accept, reject, type Result } from './result.ts';
import type { PeerId } from './types.ts';

/** The domain, zero-padded to 32 bytes: with the key it fills exactly one SHA-256 block. */
const DOMAIN_BLOCK = (() => {
  const block = new Uint8Array(32);
  block.set(utf8('tabmesh/id-stamp/v1'));
  return block;
})();
const TWO_32 = 2 ** 32;
/** Most difficulty a network may set: 32 bits is ~4 billion hashes, over an hour in a tab. */
export const MAX_IDENTITY_STAMP_BITS = 32;

/** Zero bits at the start of `hash`, big-endian. */
export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

function assertPublicKey(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new InvalidArgumentError('publicKey must be a 32-byte Uint8Array');
}

function assertBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 0 || bits > MAX_IDENTITY_STAMP_BITS) {
    throw new InvalidArgumentError(`identity stamp bits must be an integer in 0..${MAX_IDENTITY_STAMP_BITS}, got ${bits}`);
  }
}

/** True for a nonce a stamp may carry: a u64 that is also a safe integer. */
export function isStampNonce(nonce: unknown): nonce is number {
  return typeof nonce === 'number' && Number.isSafeInteger(nonce) && nonce >= 0;
}

/** The stamp's hash for `publicKey` and `nonce`. */
export function identityStampHash(publicKey: Uint8Array, nonce: number): Uint8Array {
  assertPublicKey(publicKey);
  if (!isStampNonce(nonce)) throw new InvalidArgumentError(`nonce must be a non-negative safe integer, got ${nonce}`);
  const tail = new Uint8Array(8);
  const view = new DataView(tail.buffer);
  view.setUint32(0, Math.floor(nonce / TWO_32));
  view.setUint32(4, nonce >>> 0);
  return sha256.create().update(DOMAIN_BLOCK).update(publicKey).update(tail).digest();
}

/**
 * Checks that `nonce` stamps `peerId` with at least `bits` of work. A remote
 * value: a missing or malformed nonce and too little work are rejections
 * naming the cause ('bad-field'), never exceptions.
 */
export function checkIdentityStamp(peerId: PeerId, nonce: unknown, bits: number): Result<number> {
  assertBits(bits);
  if (!isHexOfLength(peerId, 32)) return reject('bad-field', 'identity stamp: peer id must be 32 bytes of lower-case hex');
  if (!isStampNonce(nonce)) return reject('bad-field', 'identity stamp: nonce must be a non-negative safe integer');
  const zeros = leadingZeroBits(identityStampHash(fromHex(peerId)!, nonce));
  if (zeros < bits) return reject('bad-field', `identity stamp has ${zeros} bits of work, the network asks ${bits}`);
  return accept(nonce);
}

/** One slice of a stamp search: the nonce found, or where to go on. */
export type StampSearchResult = { found: true; nonce: number; hashes: number } | { found: false; nextNonce: number; hashes: number };

/**
 * A stamp searcher for one key: the midstate (domain and key, one block) is
 * compressed once; each try clones it and hashes the nonce. Run it in slices
 * off the main thread (a tab's worker; the full node mints before it starts).
 */
export function createStampSearcher(publicKey: Uint8Array, bits: number) {
  assertPublicKey(publicKey);
  assertBits(bits);
  const midstate = sha256.create().update(DOMAIN_BLOCK).update(publicKey);
  const hasher = sha256.create();
  const tail = new Uint8Array(8);
  const view = new DataView(tail.buffer);
  const out = new Uint8Array(32);
  return {
    search(startNonce: number, maxHashes: number): StampSearchResult {
      if (!isStampNonce(startNonce) || !isStampNonce(maxHashes)) throw new InvalidArgumentError('startNonce and maxHashes must be non-negative safe integers');
      const end = Math.min(startNonce + maxHashes, Number.MAX_SAFE_INTEGER);
      for (let nonce = startNonce; nonce < end; nonce++) {
        view.setUint32(0, Math.floor(nonce / TWO_32));
        view.setUint32(4, nonce >>> 0);
        midstate._cloneInto(hasher);
        hasher.update(tail);
        hasher.digestInto(out);
        if (leadingZeroBits(out) >= bits) return { found: true, nonce, hashes: nonce - startNonce + 1 };
      }
      return { found: false, nextNonce: end, hashes: end - startNonce };
    },
  };
}

/** Mints a stamp in one call, blocking: for tests, the simulator and the full node's first start. */
export function mintIdentityStamp(publicKey: Uint8Array, bits: number, startNonce = 0): number {
  const searcher = createStampSearcher(publicKey, bits);
  for (let next = startNonce; ;) {
    const result = searcher.search(next, 1 << 20);
    if (result.found) return result.nonce;
    next = result.nextNonce;
    if (next >= Number.MAX_SAFE_INTEGER) throw new InvalidArgumentError('no identity stamp below 2^53');
  }
}
