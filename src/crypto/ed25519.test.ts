import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../core/bytes.ts';
import type { VerifyItem } from '../core/types.ts';
import { createEd25519Verifier, nobleKeypair, nobleSign } from './ed25519.ts';
import { bothBackends } from '../../test/helpers/ed25519-fixtures.ts';

/** RFC 8032 section 7.1, TEST 1 to TEST 3. */
const RFC8032 = [
  {
    name: 'TEST 1',
    secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2',
    secretKey: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3',
    secretKey: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

const hex = (value: string): Uint8Array => fromHex(value)!;
const vectorItem = (v: (typeof RFC8032)[number]): VerifyItem => ({ publicKey: hex(v.publicKey), message: hex(v.message), signature: hex(v.signature) });

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

/** Both backends' answers, as [noble, webcrypto]. */
const { both } = bothBackends();

describe('RFC 8032 test vectors', () => {
  for (const vector of RFC8032) {
    it(`${vector.name}: noble reproduces the public key and signature from the secret key`, () => {
      const { publicKey } = nobleKeypair(hex(vector.secretKey));
      expect(toHex(publicKey)).toBe(vector.publicKey);
      expect(toHex(nobleSign(hex(vector.secretKey), hex(vector.message)))).toBe(vector.signature);
    });

    it(`${vector.name}: both backends accept the signature`, async () => {
      expect(await both(vectorItem(vector))).toEqual([true, true]);
    });
  }
});

describe('backend agreement', () => {
  const item = vectorItem(RFC8032[2]!);

  it('rejects a flipped message bit', async () => {
    for (const bit of [0, 7, 15]) {
      expect(await both({ ...item, message: flipBit(item.message, bit) })).toEqual([false, false]);
    }
  });

  it('rejects a flipped signature bit in R and in S', async () => {
    for (const bit of [0, 100, 255, 256, 300, 500]) {
      expect(await both({ ...item, signature: flipBit(item.signature, bit) })).toEqual([false, false]);
    }
  });

  it('rejects a non-canonical S (S + L), which satisfies the equation', async () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(item.signature[i]!);
    let bumped = s + L; // still below 2^256, and [S + L]B = [S]B
    const signature = item.signature.slice();
    for (let i = 32; i < 64; i++) {
      signature[i] = Number(bumped & 0xffn);
      bumped >>= 8n;
    }
    expect(await both({ ...item, signature })).toEqual([false, false]);
  });

  it('answers false, without throwing, for a public key that is not a point', async () => {
    // y = 2 has no matching x on the curve (checked by noble's decoder, via the verifier).
    const notAPoint = new Uint8Array(32);
    notAPoint[0] = 2;
    expect(await both({ ...item, publicKey: notAPoint })).toEqual([false, false]);
    const allOnes = new Uint8Array(32).fill(0xff); // y >= p: not canonical
    expect(await both({ ...item, publicKey: allOnes })).toEqual([false, false]);
  });

  it('answers false for wrong lengths and non-byte fields', async () => {
    expect(await both({ ...item, publicKey: item.publicKey.subarray(0, 31) })).toEqual([false, false]);
    expect(await both({ ...item, signature: item.signature.subarray(0, 63) })).toEqual([false, false]);
    const bogus = { ...item, message: 'af82' } as unknown as VerifyItem;
    expect(await both(bogus)).toEqual([false, false]);
  });

  it('accepts inputs that are views into larger or shared buffers', async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(200));
    shared.set(item.signature, 10);
    const signature = shared.subarray(10, 74);
    expect(await both({ ...item, signature })).toEqual([true, true]);
  });

  it('agrees on random keys and messages, valid and corrupted (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom<'none' | 'message' | 'signature' | 'publicKey'>('none', 'message', 'signature', 'publicKey'),
        fc.nat(),
        async (seed, message, corrupt, at) => {
          const { publicKey } = nobleKeypair(seed);
          const valid: VerifyItem = { publicKey, message, signature: nobleSign(seed, message) };
          const item: VerifyItem =
            corrupt === 'none' || (corrupt === 'message' && message.length === 0)
              ? valid
              : { ...valid, [corrupt]: flipBit(valid[corrupt], at % (valid[corrupt].length * 8)) };
          const expected = item === valid;
          expect(await both(item)).toEqual([expected, expected]);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('backend detection', () => {
  it('uses WebCrypto on Node 20, which has Ed25519 in globalThis.crypto.subtle', async () => {
    const verifier = await createEd25519Verifier();
    expect(verifier.backend).toBe('webcrypto');
    expect(verifier.fallbackReason).toBeUndefined();
  });

  it('uses noble when asked to', async () => {
    expect((await createEd25519Verifier({ prefer: 'noble' })).backend).toBe('noble');
  });

  it('falls back to noble, with a reason, when the runtime lacks Ed25519', async () => {
    const subtle = {
      importKey: () => Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError')),
    } as unknown as SubtleCrypto;
    const verifier = await createEd25519Verifier({ subtle });
    expect(verifier.backend).toBe('noble');
    expect(verifier.fallbackReason).toMatch(/NotSupportedError/);
    expect(await verifier.verify(vectorItem(RFC8032[0]!))).toBe(true);
  });

  it('falls back to noble when WebCrypto accepts a corrupted signature', async () => {
    const real = globalThis.crypto.subtle;
    const subtle = {
      importKey: real.importKey.bind(real),
      verify: () => Promise.resolve(true),
    } as unknown as SubtleCrypto;
    const verifier = await createEd25519Verifier({ subtle });
    expect(verifier.backend).toBe('noble');
    expect(verifier.fallbackReason).toMatch(/wrong answers/);
  });
});

describe('noble helpers', () => {
  it('nobleKeypair makes a fresh random key pair whose signatures verify', async () => {
    const a = nobleKeypair();
    const b = nobleKeypair();
    expect(toHex(a.secretKey)).not.toBe(toHex(b.secretKey));
    const message = new TextEncoder().encode('tabmesh');
    expect(await both({ publicKey: a.publicKey, message, signature: nobleSign(a.secretKey, message) })).toEqual([true, true]);
    expect(await both({ publicKey: b.publicKey, message, signature: nobleSign(a.secretKey, message) })).toEqual([false, false]);
  });
});
