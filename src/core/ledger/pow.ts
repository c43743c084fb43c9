/**
 * Proof-of-work arithmetic (docs/PROTOCOL.md, "Proof of work"). A target is a
 * 256-bit unsigned integer, carried in headers as 64 hex characters in full
 * precision (Bitcoin squeezes it into a 32-bit "compact" nBits; we have no
 * reason to lose the precision). A header meets its target when SHA-256 of its
 * encoding, read as a big-endian integer, is at most the target.
 */
import { fromHex, isHexOfLength } from '../bytes.ts';
import { InvalidArgumentError } from '../result.ts';

const TWO_256 = 1n << 256n;
export const MAX_TARGET = TWO_256 - 1n;

/** Parses a 64-hex-character target. Throws InvalidArgumentError on malformed input. */
export function targetFromHex(hex: string): bigint {
  if (!isHexOfLength(hex, 32)) throw new InvalidArgumentError('target must be 64 lower-case hex characters');
  return BigInt(`0x${hex}`);
}

/** The 64-hex-character form of a target in [0, 2^256). */
export function targetToHex(target: bigint): string {
  if (target < 0n || target > MAX_TARGET) throw new InvalidArgumentError(`target must be in [0, 2^256), got ${target}`);
  return target.toString(16).padStart(64, '0');
}

/** Big-endian comparison of two equal-length byte strings: a ≤ b. */
function bytesAtMost(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]!;
  }
  return true;
}

/** The 32 big-endian bytes of a target, for fast comparisons in a mining loop. */
export function targetBytes(target: bigint | string): Uint8Array {
  const hex = typeof target === 'string' ? target : targetToHex(target);
  const bytes = fromHex(hex);
  if (!bytes || bytes.length !== 32) throw new InvalidArgumentError('target must be 64 lower-case hex characters');
  return bytes;
}

/** True when `hash` (32 bytes or 64 hex) read as a big-endian integer is at most `target`. */
export function hashMeetsTarget(hash: Uint8Array | string, target: bigint | string | Uint8Array): boolean {
  const hashBytes = typeof hash === 'string' ? fromHex(hash) : hash;
  if (!hashBytes || hashBytes.length !== 32) throw new InvalidArgumentError('hash must be 32 bytes');
  const limit = target instanceof Uint8Array ? target : targetBytes(target);
  return bytesAtMost(hashBytes, limit);
}

/**
 * Expected hashes to meet `target`: floor(2^256 / (target + 1)), Bitcoin's
 * GetBlockProof. Chain work is the sum over a chain's blocks; the best chain
 * is the one with the most work, not the most blocks.
 */
export function workForTarget(target: bigint): bigint {
  if (target < 0n || target > MAX_TARGET) throw new InvalidArgumentError(`target must be in [0, 2^256), got ${target}`);
  return TWO_256 / (target + 1n);
}
