/**
 * An account's Ed25519 key (docs/SECURITY.md, "Key storage").
 *
 * Signing uses a non-extractable WebCrypto CryptoKey where the browser has
 * Ed25519: IndexedDB stores it by structured clone, and no script can read its
 * bytes. So that an account can be backed up, a key made since backups exist
 * also keeps its 32-byte seed, sealed with AES-GCM under a non-extractable
 * wrapping key stored beside it (`sealedSeed`). Keys from before that have no
 * seed and cannot leave their browser. Where a browser lacks WebCrypto
 * Ed25519, @noble/ed25519 signs with the raw seed instead (stored in the same
 * database; weaker, and documented in docs/SECURITY.md).
 */
import { concatBytes, equalBytes, toHex, utf8 } from '../core/bytes.ts';
import type { Signer } from '../core/types.ts';
import { nobleKeypair, nobleSign } from '../crypto/ed25519.ts';

/** The seed sealed at rest: AES-GCM under `wrapKey`, a non-extractable key kept in the same record. */
export interface SealedSeed {
  wrapKey: CryptoKey;
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

export type KeyMaterial =
  | { kind: 'webcrypto'; privateKey: CryptoKey; publicKey: Uint8Array; sealedSeed?: SealedSeed }
  | { kind: 'noble'; secretKey: Uint8Array; publicKey: Uint8Array };

/** RFC 8410 PKCS#8 wrapping of a 32-byte Ed25519 seed: this fixed prefix, then the seed. */
export const PKCS8_ED25519_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const SELF_CHECK_MESSAGE = utf8('tabmesh/key-material-self-check/v1');
const SEED_BYTES = 32;
const GCM_IV_BYTES = 12;

const isUnsupported = (error: unknown) => error instanceof DOMException || error instanceof TypeError;

/**
 * The key for `seed`: a non-extractable WebCrypto key with the seed sealed
 * beside it, or, where WebCrypto has no Ed25519 (or signs differently from
 * RFC 8032, which the self-check would show), the noble form.
 */
export async function keyMaterialFromSeed(seed: Uint8Array, subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<KeyMaterial> {
  if (seed.length !== SEED_BYTES) throw new RangeError(`seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
  const { publicKey } = nobleKeypair(seed);
  if (subtle) {
    const pkcs8 = concatBytes(PKCS8_ED25519_PREFIX, seed) as Uint8Array<ArrayBuffer>;
    try {
      const privateKey = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
      const signed = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, privateKey, SELF_CHECK_MESSAGE as Uint8Array<ArrayBuffer>));
      // Ed25519 is deterministic: a different signature would mean the CryptoKey is not this seed's key.
      if (equalBytes(signed, nobleSign(seed, SELF_CHECK_MESSAGE))) {
        const wrapKey = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
        const iv = globalThis.crypto.getRandomValues(new Uint8Array(GCM_IV_BYTES));
        const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: publicKey as Uint8Array<ArrayBuffer> }, wrapKey, seed as Uint8Array<ArrayBuffer>));
        return { kind: 'webcrypto', privateKey, publicKey, sealedSeed: { wrapKey, iv, ciphertext } };
      }
    } catch (error) {
      // NotSupportedError: this browser has no WebCrypto Ed25519 (or no PKCS#8 import of it); noble takes over below.
      if (!isUnsupported(error)) throw error;
    } finally {
      pkcs8.fill(0); // the import copied it
    }
  }
  return { kind: 'noble', secretKey: seed.slice(), publicKey };
}

/** Generates a key with a fresh random seed (keyMaterialFromSeed). */
export async function generateKeyMaterial(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<KeyMaterial> {
  const seed = globalThis.crypto.getRandomValues(new Uint8Array(SEED_BYTES));
  try {
    return await keyMaterialFromSeed(seed, subtle);
  } finally {
    seed.fill(0);
  }
}

/**
 * The 32-byte seed of `key`, for a backup; undefined for a WebCrypto key
 * made before backups existed (generated non-extractable, it has no seed).
 */
export async function seedOf(key: KeyMaterial, subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<Uint8Array | undefined> {
  if (key.kind === 'noble') return key.secretKey.slice();
  if (!key.sealedSeed || !subtle) return undefined;
  const { wrapKey, iv, ciphertext } = key.sealedSeed;
  const seed = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: iv as Uint8Array<ArrayBuffer>, additionalData: key.publicKey as Uint8Array<ArrayBuffer> }, wrapKey, ciphertext as Uint8Array<ArrayBuffer>));
  // The seed must be this key's: a record pieced together from two keys would otherwise export the wrong one.
  if (!equalBytes(nobleKeypair(seed).publicKey, key.publicKey)) throw new Error(`the sealed seed of ${toHex(key.publicKey)} is not its key's`);
  return seed;
}

/** Whether `key` can be backed up (seedOf gives its seed). */
export const canBackUp = (key: KeyMaterial): boolean => key.kind === 'noble' || key.sealedSeed !== undefined;

function isSealedSeed(value: unknown): value is SealedSeed {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof CryptoKey !== 'undefined' && record.wrapKey instanceof CryptoKey && record.iv instanceof Uint8Array && record.ciphertext instanceof Uint8Array;
}

/** Checks a record read back from storage before trusting it as a key. */
export function isKeyMaterial(value: unknown): value is KeyMaterial {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (!(record.publicKey instanceof Uint8Array) || record.publicKey.length !== 32) return false;
  if (record.kind === 'webcrypto') {
    return typeof CryptoKey !== 'undefined' && record.privateKey instanceof CryptoKey && (record.sealedSeed === undefined || isSealedSeed(record.sealedSeed));
  }
  return record.kind === 'noble' && record.secretKey instanceof Uint8Array && record.secretKey.length === 32;
}

/**
 * The identity of `key` with its stamp (core/identity-stamp.ts). The stamp is
 * not checked here: its minter (a worker, the key file) already did, and a
 * wrong one only gets this identity refused by its peers and relays.
 */
export function createSigner(key: KeyMaterial, identityStamp: number, subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Signer {
  const peerId = toHex(key.publicKey);
  if (key.kind === 'webcrypto') {
    return {
      peerId,
      publicKey: key.publicKey,
      identityStamp,
      async sign(message) {
        return new Uint8Array(await subtle!.sign({ name: 'Ed25519' }, key.privateKey, message as Uint8Array<ArrayBuffer>));
      },
    };
  }
  return { peerId, publicKey: key.publicKey, identityStamp, sign: async (message) => nobleSign(key.secretKey, message) };
}
