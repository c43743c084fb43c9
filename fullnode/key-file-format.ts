/**
 * The identity key file's text format, version 1: one line of JSON,
 *
 *   {"format":"tabmesh-identity","version":1,"seed":"<64 hex>","publicKey":"<64 hex>","identityStamp":<u53>}
 *
 * `seed` is the RFC 8032 Ed25519 secret seed (32 bytes, lower-case hex) and
 * `publicKey` the peer id it derives. The public key is redundant on purpose:
 * on read it is derived again from the seed and must match, so a flipped
 * character in either field is refused instead of silently becoming another
 * identity (and another account). JSON rather than raw bytes so a person can
 * see which id a file holds, and `format`/`version` let a later version
 * (e.g. an encrypted seed) be told apart instead of misread.
 *
 * `identityStamp` (docs/PROTOCOL.md, "Identity stamp") is the key's proof of
 * work, kept so a restart does not mint again. It came after version 1's
 * first files, so it is optional: a file without it gets one minted at start
 * and is written again (key-file.ts), and an older program reading a file
 * with it ignores the field.
 */
import { fromHex, isHexOfLength, toHex } from '../src/core/bytes.ts';
import { describeValue } from '../src/core/describe-value.ts';
import { isStampNonce } from '../src/core/identity-stamp.ts';
import { nobleKeypair } from '../src/crypto/ed25519.ts';

export const KEY_FILE_FORMAT = 'tabmesh-identity';
export const KEY_FILE_VERSION = 1;
/** A version 1 file is about 220 bytes; anything far larger is not one, and is not read into memory. */
export const MAX_KEY_FILE_BYTES = 1024;

/** The seed and the public key it derives, as raw bytes. */
export interface IdentitySeed {
  seed: Uint8Array;
  publicKey: Uint8Array;
  /** The key's identity stamp; absent in files written before stamps. */
  identityStamp?: number;
}

/** Encodes a seed (and its stamp, when it has one) as a version 1 key file (ends with a newline). */
export function encodeKeyFile(seed: Uint8Array, identityStamp?: number): string {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError('seed must be 32 bytes');
  if (identityStamp !== undefined && !isStampNonce(identityStamp)) throw new TypeError('identityStamp must be a non-negative safe integer');
  const { publicKey } = nobleKeypair(seed);
  const fields = { format: KEY_FILE_FORMAT, version: KEY_FILE_VERSION, seed: toHex(seed), publicKey: toHex(publicKey), identityStamp };
  return `${JSON.stringify(fields)}\n`;
}

/**
 * Parses a key file's text; the error says what is wrong without quoting the
 * file (it holds a secret, and error messages end up in logs).
 */
export function parseKeyFile(text: string): { ok: true; value: IdentitySeed } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { ok: false, error: 'is not a tabmesh identity file (not JSON)' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'is not a tabmesh identity file (not a JSON object)' };
  const record = value as Record<string, unknown>;
  if (record.format !== KEY_FILE_FORMAT) return { ok: false, error: `is not a tabmesh identity file (format is not "${KEY_FILE_FORMAT}")` };
  if (record.version !== KEY_FILE_VERSION) return { ok: false, error: `has identity file version ${describeValue(record.version)}; this program reads version ${KEY_FILE_VERSION}` };
  if (!isHexOfLength(record.seed, 32)) return { ok: false, error: 'has a bad seed: it must be 64 lower-case hex characters' };
  if (!isHexOfLength(record.publicKey, 32)) return { ok: false, error: 'has a bad publicKey: it must be 64 lower-case hex characters' };
  if (record.identityStamp !== undefined && !isStampNonce(record.identityStamp)) return { ok: false, error: 'has a bad identityStamp: it must be a non-negative integer below 2^53' };
  const seed = fromHex(record.seed)!;
  const { publicKey } = nobleKeypair(seed);
  if (toHex(publicKey) !== record.publicKey) return { ok: false, error: 'is damaged: its seed does not derive its publicKey' };
  return { ok: true, value: { seed, publicKey, ...(record.identityStamp === undefined ? {} : { identityStamp: record.identityStamp }) } };
}
