/**
 * A tab's Ed25519 key. The preferred form is a non-extractable WebCrypto
 * CryptoKey: IndexedDB stores it by structured clone, and no script can read
 * its bytes, so the private key never leaves the tab. Where a browser lacks
 * WebCrypto Ed25519, @noble/ed25519 signs with raw key bytes instead (stored
 * in the same database; weaker, and documented in docs/SECURITY.md).
 */
import { toHex } from '../core/bytes.ts';
import type { Signer } from '../core/types.ts';
import { nobleKeypair, nobleSign } from '../crypto/ed25519.ts';

export type KeyMaterial =
  | { kind: 'webcrypto'; privateKey: CryptoKey; publicKey: Uint8Array }
  | { kind: 'noble'; secretKey: Uint8Array; publicKey: Uint8Array };

/** Generates a key, preferring a non-extractable WebCrypto key. */
export async function generateKeyMaterial(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<KeyMaterial> {
  if (subtle) {
    try {
      const pair = (await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
      const publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
      return { kind: 'webcrypto', privateKey: pair.privateKey, publicKey };
    } catch (error) {
      // NotSupportedError: this browser has no WebCrypto Ed25519; noble takes over below.
      if (!(error instanceof DOMException) && !(error instanceof TypeError)) throw error;
    }
  }
  const { secretKey, publicKey } = nobleKeypair();
  return { kind: 'noble', secretKey, publicKey };
}

/** Checks a record read back from storage before trusting it as a key. */
export function isKeyMaterial(value: unknown): value is KeyMaterial {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (!(record.publicKey instanceof Uint8Array) || record.publicKey.length !== 32) return false;
  if (record.kind === 'webcrypto') return typeof CryptoKey !== 'undefined' && record.privateKey instanceof CryptoKey;
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
