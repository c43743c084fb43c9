/**
 * Hand-built edge cases where Ed25519 implementations are known to disagree
 * ("Taming the many EdDSAs", Chalkias et al. 2020). Each signature is crafted
 * with noble's point arithmetic so that it passes one rule and fails another.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex } from '../core/bytes.ts';
import { bothBackends } from '../../test/helpers/ed25519-fixtures.ts';
import { CURVE_ORDER, SMALL_ORDER_ENCODINGS, bytesToNumberLE, decodePublicKey } from './ed25519-rules.ts';

const { Point } = ed;
const L = CURVE_ORDER;
/** A point of order 8 (the torsion subgroup's generator). */
const T8 = Point.fromHex(SMALL_ORDER_ENCODINGS[4]!);
const seed = fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb')!;
const { scalar: a, pointBytes: A } = ed.utils.getExtendedPublicKey(seed);

function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

/** k = SHA-512(R || A || M) mod L (RFC 8032 5.1.7). */
const challenge = (r: Uint8Array, publicKey: Uint8Array, message: Uint8Array): bigint =>
  bytesToNumberLE(sha512(concatBytes(r, publicKey, message))) % L;

const message = (i: number): Uint8Array => new TextEncoder().encode(`edge case ${i}`);

/** Both backends' answers, as [noble, webcrypto]. */
const { both } = bothBackends();

describe('small-order points', () => {
  it('lists the eight distinct points of the torsion subgroup', () => {
    const points = SMALL_ORDER_ENCODINGS.map((encoding) => Point.fromHex(encoding));
    expect(new Set(points.map((point) => point.toHex())).size).toBe(8);
    for (const point of points) expect(point.isSmallOrder()).toBe(true);
    // Closed under addition with the order-8 generator: it is the whole subgroup.
    for (const point of points) expect(SMALL_ORDER_ENCODINGS).toContain(point.add(T8).toHex());
  });

  it('rejects every small-order public key, even with a signature valid under the raw equation', async () => {
    // With A = identity, [S]B = R + [k]A holds for S = r, R = [r]B, any message.
    const r = 1234567n;
    const signature = concatBytes(Point.BASE.multiply(r).toBytes(), le32(r));
    for (const encoding of SMALL_ORDER_ENCODINGS) {
      expect(decodePublicKey(fromHex(encoding)!)).toBeUndefined();
      expect(await both({ publicKey: fromHex(encoding)!, message: message(0), signature })).toEqual([false, false]);
    }
  });

  it('rejects a key holder\'s signature whose R is the identity point', async () => {
    // R = identity and S = k·a make [S]B - [k]A encode to R exactly.
    const m = message(1);
    const r = fromHex(SMALL_ORDER_ENCODINGS[0]!)!;
    const signature = concatBytes(r, le32((challenge(r, A, m) * a) % L));
    expect(Point.BASE.multiply(bytesToNumberLE(signature.subarray(32)), false).subtract(ed.Point.fromBytes(A).multiply(challenge(r, A, m), false)).toBytes()).toEqual(r);
    expect(await both({ publicKey: A, message: m, signature })).toEqual([false, false]);
  });
});

describe('cofactored versus cofactorless', () => {
  it('rejects an R with a torsion component, which noble\'s own strict (cofactored) verify accepts', async () => {
    const m = message(2);
    const r = 987654321n;
    const R = Point.BASE.multiply(r).add(T8).toBytes();
    const signature = concatBytes(R, le32((r + challenge(R, A, m) * a) % L));
    // The reason ed25519-rules.ts does not use ed.verify: it would accept this,
    // while every WebCrypto (cofactorless) rejects it: a consensus split.
    expect(ed.verify(signature, m, A, { zip215: false })).toBe(true);
    expect(await both({ publicKey: A, message: m, signature })).toEqual([false, false]);
  });

  it('agrees on a public key with a torsion component: valid exactly when k ≡ 0 (mod 8)', async () => {
    const mixedA = Point.fromBytes(A).add(T8).toBytes();
    expect(decodePublicKey(mixedA)).toBeDefined();
    const seen = new Set<boolean>();
    for (let i = 0; seen.size < 2 || i < 16; i++) {
      const m = message(100 + i);
      const r = 1000n + BigInt(i);
      const R = Point.BASE.multiply(r).toBytes();
      const k = challenge(R, mixedA, m);
      const signature = concatBytes(R, le32((r + k * a) % L));
      const expected = k % 8n === 0n;
      seen.add(expected);
      expect(await both({ publicKey: mixedA, message: m, signature })).toEqual([expected, expected]);
    }
    expect(seen).toEqual(new Set([true, false]));
  });
});

describe('non-canonical encodings', () => {
  it('rejects a public key encoded with y >= p, though it decodes under ZIP 215', async () => {
    // y = p + 3 is the non-canonical encoding of the valid point with y = 3.
    const encoding = le32(2n ** 255n - 19n + 3n);
    expect(Point.fromBytes(encoding, true).isSmallOrder()).toBe(false);
    expect(decodePublicKey(encoding)).toBeUndefined();
    const m = message(3);
    const signature = concatBytes(Point.BASE.multiply(5n).toBytes(), le32(5n));
    expect(await both({ publicKey: encoding, message: m, signature })).toEqual([false, false]);
  });

  it('answers false, without throwing, for an R encoded with y >= p', async () => {
    // Its discrete log is unknown, so no S can satisfy the equation; what this
    // checks is that neither backend throws while decoding it.
    const signature = concatBytes(le32(2n ** 255n - 19n + 3n), le32(42n));
    expect(await both({ publicKey: A, message: message(4), signature })).toEqual([false, false]);
  });
});
