import { describe, expect, it } from 'vitest';
import { toHex } from '../core/bytes.ts';
import { nobleKeypair, nobleSign } from '../crypto/ed25519.ts';
import { canBackUp, createSigner, generateKeyMaterial, keyMaterialFromSeed, seedOf } from './key-material.ts';

const SEED = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);

describe('key material', () => {
  it('a key from a seed signs as RFC 8032 does, with a non-extractable CryptoKey, and gives its seed back for a backup', async () => {
    const key = await keyMaterialFromSeed(SEED);
    expect(key.kind).toBe('webcrypto');
    if (key.kind !== 'webcrypto') return;
    expect(key.privateKey.extractable).toBe(false);
    expect(key.sealedSeed?.wrapKey.extractable).toBe(false);
    expect(toHex(key.publicKey)).toBe(toHex(nobleKeypair(SEED).publicKey));
    expect(canBackUp(key)).toBe(true);
    expect(toHex((await seedOf(key))!)).toBe(toHex(SEED));
    const message = new Uint8Array([1, 2, 3]);
    expect(toHex(await createSigner(key, 0).sign(message))).toBe(toHex(nobleSign(SEED, message)));
  });

  it('a key generated without a seed (before backups) cannot be backed up', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const legacy = { kind: 'webcrypto' as const, privateKey: pair.privateKey, publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
    expect(canBackUp(legacy)).toBe(false);
    expect(await seedOf(legacy)).toBeUndefined();
  });

  it('a sealed seed under another key is refused, and fresh keys differ', async () => {
    const [a, b] = [await generateKeyMaterial(), await generateKeyMaterial()];
    expect(toHex(a.publicKey)).not.toBe(toHex(b.publicKey));
    if (a.kind !== 'webcrypto' || b.kind !== 'webcrypto') throw new Error('expected WebCrypto keys in Node');
    await expect(seedOf({ ...a, sealedSeed: b.sealedSeed })).rejects.toThrow();
  });
});
