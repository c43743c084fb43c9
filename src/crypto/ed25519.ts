/**
 * Ed25519 verification with two interchangeable backends: WebCrypto
 * `Ed25519` where the runtime has it (Chromium, Node >= 20) and
 * @noble/ed25519 as the fallback. Both enforce the rule in ed25519-rules.ts,
 * so they give the same answer for every input; the tests check that.
 *
 * WebCrypto is preferred for speed: in Chromium it verifies about 23,000
 * signatures a second on one core, against about 1,800 for noble (measured,
 * docs/PERFORMANCE.md).
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { fromHex, toHex } from '../core/bytes.ts';
import type { VerifyItem } from '../core/types.ts';
import { decodePublicKey, passesSignatureChecks, verifyCofactorless } from './ed25519-rules.ts';
import { LruCache } from '../core/lru-cache.ts';

// noble v3 hashes through crypto.subtle (async only) unless given a sync
// SHA-512; nobleSign and nobleKeypair use the sync API.
ed.hashes.sha512 = sha512;

export type Ed25519Backend = 'webcrypto' | 'noble';

/** Verifies one signature at a time; never throws for bad input, only answers false. */
export interface Ed25519Verifier {
  readonly backend: Ed25519Backend;
  /** Why WebCrypto was not used, when the backend is the noble fallback. */
  readonly fallbackReason?: string;
  verify(item: VerifyItem): Promise<boolean>;
}

export interface Ed25519VerifierInit {
  /** 'noble' skips detection (tests, or to compare the backends). Default 'auto'. */
  prefer?: 'auto' | 'noble';
  /** The SubtleCrypto to probe; defaults to globalThis.crypto.subtle. */
  subtle?: SubtleCrypto;
  /**
   * Decoded public keys kept per backend. Accounts sign many transactions, so
   * a key is decoded (about 27 µs) or imported once; 4,096 keys cost well
   * under 1 MiB. Default 4096.
   */
  maxCachedKeys?: number;
}

/** WebCrypto is missing Ed25519 or gave a wrong answer on the probe vector. */
export class Ed25519UnavailableError extends Error {
  override readonly name = 'Ed25519UnavailableError';
}

const DEFAULT_MAX_CACHED_KEYS = 4096;
const ED25519 = { name: 'Ed25519' } as const;

/** RFC 8032 section 7.1, TEST 1: the known-good vector for feature detection. */
const PROBE = {
  publicKey: fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')!,
  message: new Uint8Array(0),
  signature: fromHex(
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  )!,
};

/** WebCrypto's BufferSource excludes views on a SharedArrayBuffer; copy those. */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
}

/** The noble backend: pure JavaScript, works everywhere, about 13x slower. */
export function createNobleEd25519Verifier(init: Pick<Ed25519VerifierInit, 'maxCachedKeys'> = {}, fallbackReason?: string): Ed25519Verifier {
  const keys = new LruCache<string, ed.Point | false>(init.maxCachedKeys ?? DEFAULT_MAX_CACHED_KEYS);
  return {
    backend: 'noble',
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
    async verify(item) {
      if (!passesSignatureChecks(item)) return false;
      const hex = toHex(item.publicKey);
      let point = keys.get(hex);
      if (point === undefined) {
        point = decodePublicKey(item.publicKey) ?? false;
        keys.set(hex, point);
      }
      return point !== false && verifyCofactorless(item, point);
    },
  };
}

/**
 * The WebCrypto backend. Probes `subtle` with RFC 8032 TEST 1 (and a
 * corrupted copy) first, and throws Ed25519UnavailableError when the runtime
 * lacks Ed25519 or answers wrongly.
 */
export async function createWebCryptoEd25519Verifier(
  subtle: SubtleCrypto,
  init: Pick<Ed25519VerifierInit, 'maxCachedKeys'> = {},
): Promise<Ed25519Verifier> {
  // A pending import is cached, so a batch with one new key imports it once.
  const keys = new LruCache<string, Promise<CryptoKey | false>>(init.maxCachedKeys ?? DEFAULT_MAX_CACHED_KEYS);

  const keyFor = (publicKey: Uint8Array): Promise<CryptoKey | false> => {
    const hex = toHex(publicKey);
    const cached = keys.get(hex);
    if (cached) return cached;
    // Rule 3 runs on noble before import: runtimes differ on non-canonical
    // and small-order keys, and some import them without complaint.
    const imported =
      decodePublicKey(publicKey) === undefined
        ? Promise.resolve(false as const)
        : subtle.importKey('raw', ownBuffer(publicKey), ED25519, false, ['verify']);
    // A failed import of a key that passed rule 3 is a runtime fault, not an
    // answer: forget it (so a later call retries) and let the caller see it.
    imported.catch(() => {
      if (keys.has(hex)) keys.delete(hex);
    });
    keys.set(hex, imported);
    return imported;
  };

  const verify = async (item: VerifyItem): Promise<boolean> => {
    if (!passesSignatureChecks(item)) return false;
    const key = await keyFor(item.publicKey);
    if (key === false) return false;
    return subtle.verify(ED25519, key, ownBuffer(item.signature), ownBuffer(item.message));
  };

  let probeOk: boolean;
  let corruptedOk: boolean;
  try {
    probeOk = await verify(PROBE);
    const corrupted = PROBE.signature.slice();
    corrupted[0]! ^= 1;
    corruptedOk = await verify({ ...PROBE, signature: corrupted });
  } catch (error) {
    throw new Ed25519UnavailableError(`WebCrypto Ed25519 failed its probe: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
  }
  if (!probeOk || corruptedOk) {
    throw new Ed25519UnavailableError(`WebCrypto Ed25519 gave wrong answers on RFC 8032 TEST 1 (valid: ${probeOk}, corrupted: ${corruptedOk})`);
  }
  return { backend: 'webcrypto', verify };
}

/**
 * Detects the best backend once: WebCrypto when it passes its probe,
 * otherwise noble, with the reason recorded in `fallbackReason`.
 */
export async function createEd25519Verifier(init: Ed25519VerifierInit = {}): Promise<Ed25519Verifier> {
  if (init.prefer === 'noble') return createNobleEd25519Verifier(init);
  const subtle = init.subtle ?? globalThis.crypto?.subtle;
  if (!subtle) return createNobleEd25519Verifier(init, 'crypto.subtle is not available');
  try {
    return await createWebCryptoEd25519Verifier(subtle, init);
  } catch (error) {
    if (!(error instanceof Ed25519UnavailableError)) throw error;
    return createNobleEd25519Verifier(init, error.message);
  }
}

/** An Ed25519 key pair as raw bytes (32-byte seed, 32-byte public key). */
export interface NobleKeypair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/**
 * A key pair from `secretKey` (a 32-byte RFC 8032 seed) or a fresh random one.
 * For runtimes without WebCrypto Ed25519, where the key cannot be a CryptoKey.
 */
export function nobleKeypair(secretKey?: Uint8Array): NobleKeypair {
  return ed.keygen(secretKey);
}

/** Deterministic RFC 8032 signature of `message` with a 32-byte seed. */
export function nobleSign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return ed.sign(message, secretKey);
}
