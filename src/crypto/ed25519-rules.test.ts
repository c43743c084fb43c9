import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToNumberLE, CURVE_ORDER, hasCanonicalS } from './ed25519-rules.ts';

/** A signature whose S half encodes `s` (little-endian), R all zeros. */
function signatureWithS(s: bigint): Uint8Array {
  const signature = new Uint8Array(64);
  for (let i = 0; i < 32; i++) signature[32 + i] = Number((s >> BigInt(8 * i)) & 0xffn);
  return signature;
}

describe('hasCanonicalS (byte comparison against L)', () => {
  it('draws the line exactly at L', () => {
    expect(hasCanonicalS(signatureWithS(0n))).toBe(true);
    expect(hasCanonicalS(signatureWithS(CURVE_ORDER - 1n))).toBe(true);
    expect(hasCanonicalS(signatureWithS(CURVE_ORDER))).toBe(false);
    expect(hasCanonicalS(signatureWithS(CURVE_ORDER + 1n))).toBe(false);
    expect(hasCanonicalS(signatureWithS(2n ** 256n - 1n))).toBe(false);
  });

  it('agrees with the bigint comparison on random and near-L values', () => {
    const nearL = fc.bigInt({ min: CURVE_ORDER - 2n ** 64n, max: CURVE_ORDER + 2n ** 64n });
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), nearL), (s) => {
        const signature = signatureWithS(s);
        expect(hasCanonicalS(signature)).toBe(bytesToNumberLE(signature.subarray(32)) < CURVE_ORDER);
      }),
      { numRuns: 2000 },
    );
  });
});
