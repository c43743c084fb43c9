import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { checkIdentityStamp, createStampSearcher, identityStampHash, leadingZeroBits, mintIdentityStamp } from './identity-stamp.ts';
import { MAIN_PARAMS, TEST_PARAMS } from './ledger/params.ts';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const PEER = toHex(KEY);

/** The stamp hash computed independently with node:crypto: pad32(domain) ‖ key ‖ u64 BE nonce. */
function referenceHash(key: Uint8Array, nonce: number): string {
  const domain = Buffer.alloc(32);
  domain.write('tabmesh/id-stamp/v1');
  const tail = Buffer.alloc(8);
  tail.writeBigUInt64BE(BigInt(nonce));
  return createHash('sha256').update(domain).update(key).update(tail).digest('hex');
}

describe('identity stamps', () => {
  it('hashes pad32(domain) ‖ key ‖ u64 nonce, as an independent implementation does', () => {
    for (const nonce of [0, 1, 255, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER]) {
      expect(toHex(identityStampHash(KEY, nonce))).toBe(referenceHash(KEY, nonce));
    }
  });

  it('counts leading zero bits big-endian', () => {
    expect(leadingZeroBits(Uint8Array.of(0x80, 0))).toBe(0);
    expect(leadingZeroBits(Uint8Array.of(0x01, 0xff))).toBe(7);
    expect(leadingZeroBits(Uint8Array.of(0, 0x10))).toBe(11);
    expect(leadingZeroBits(new Uint8Array(4))).toBe(32);
  });

  it('mints a stamp that checks at its difficulty and is refused by a harder network', () => {
    const nonce = mintIdentityStamp(KEY, 12);
    expect(leadingZeroBits(Buffer.from(referenceHash(KEY, nonce), 'hex'))).toBeGreaterThanOrEqual(12);
    expect(checkIdentityStamp(PEER, nonce, 12)).toEqual({ ok: true, value: nonce });
    const zeros = leadingZeroBits(identityStampHash(KEY, nonce));
    const harder = checkIdentityStamp(PEER, nonce, zeros + 1);
    expect(harder.ok).toBe(false);
    if (!harder.ok) expect(harder.detail).toBe(`identity stamp has ${zeros} bits of work, the network asks ${zeros + 1}`);
  });

  it('binds the key: a stamp minted for one key does not stamp another', () => {
    const nonce = mintIdentityStamp(KEY, 16);
    const other = KEY.slice();
    other[0] = other[0]! ^ 1;
    // 1 in 65,536 that it passes by chance; this key and nonce are fixed, so the outcome is too.
    expect(checkIdentityStamp(toHex(other), nonce, 16).ok).toBe(false);
  });

  it('rejects missing and malformed nonces and ids with a reason, never throwing', () => {
    fc.assert(fc.property(fc.anything(), fc.anything(), (peerId, nonce) => {
      const result = checkIdentityStamp(peerId as string, nonce, 8);
      if (result.ok) expect(typeof nonce).toBe('number');
      else expect(result.reason).toBe('bad-field');
    }));
    expect(checkIdentityStamp(PEER, undefined, 8)).toMatchObject({ ok: false, detail: 'identity stamp: nonce must be a non-negative safe integer' });
    expect(checkIdentityStamp(PEER, -1, 8).ok).toBe(false);
    expect(checkIdentityStamp(PEER, 2 ** 53, 8).ok).toBe(false);
  });

  it('searches in slices that resume where the last one stopped', () => {
    const searcher = createStampSearcher(KEY, 14);
    const whole = mintIdentityStamp(KEY, 14);
    let next = 0;
    let slices = 0;
    for (;;) {
      const result = searcher.search(next, 1000);
      slices++;
      if (result.found) {
        expect(result.nonce).toBe(whole);
        break;
      }
      expect(result.hashes).toBe(1000);
      next = result.nextNonce;
    }
    expect(slices).toBe(Math.floor(whole / 1000) + 1);
  });

  it('has a network difficulty: about a million hashes on main, trivial on test networks', () => {
    expect(MAIN_PARAMS.identityStampBits).toBe(20);
    expect(TEST_PARAMS.identityStampBits).toBe(8);
    expect(() => checkIdentityStamp(PEER, 0, 33)).toThrow(/0\.\.32/);
  });
});
