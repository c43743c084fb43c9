import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SMALL_ORDER_ENCODINGS } from '../crypto/ed25519-rules.ts';
import { ADDRESS_CHARS, BURN_ACCOUNT, decodeAddress, encodeAddress, parseAccount } from './address.ts';
import { toHex } from './bytes.ts';

const ID = '3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29';

/** Every character a person could type by mistake: the bech32 set, its upper case, the excluded letters, digits, and a few others. */
const TYPED = [...new Set('qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L1bioBIO0123456789 -_.:'.split(''))];

const anyId = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);

describe('addresses (bech32m, prefix tm)', () => {
  it('encodes 61 characters of the bech32 set and round-trips', () => {
    const address = encodeAddress(ID);
    expect(address).toMatch(/^tm1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/);
    expect(address).toHaveLength(ADDRESS_CHARS);
    expect(decodeAddress(address)).toEqual({ ok: true, value: ID });
    expect(parseAccount(address.toUpperCase())).toEqual({ ok: true, value: ID });
  });

  it('matches golden vectors computed with BIP 350\'s reference Python (segwit_addr.py bech32_encode, Encoding.BECH32M)', () => {
    expect(encodeAddress('00'.repeat(32))).toBe('tm1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqgz2mx');
    expect(encodeAddress(ID)).toBe('tm18d4z00xwk6jz6c4r4rgz5mcdwdjny9thrh3y8f36cpy2rz6emg5selxpnw');
  });

  it('accepts the 64-hex form in either case, with spaces around it', () => {
    expect(parseAccount(`  ${ID.toUpperCase()} `)).toEqual({ ok: true, value: ID });
  });

  it('names what is wrong', () => {
    const address = encodeAddress(ID);
    expect(parseAccount(`TM1${address.slice(3)}`)).toMatchObject({ ok: false, reason: 'mixed-case' });
    expect(parseAccount(`bc1${address.slice(3)}`)).toMatchObject({ ok: false, reason: 'wrong-prefix' });
    expect(parseAccount(`${address.slice(0, 10)}b${address.slice(11)}`)).toMatchObject({ ok: false, reason: 'bad-character' });
    expect(parseAccount(address.slice(0, -1))).toMatchObject({ ok: false, reason: 'wrong-length', detail: expect.stringContaining('61') });
    expect(parseAccount(ID.slice(1))).toMatchObject({ ok: false, reason: 'wrong-length', detail: expect.stringContaining('63') });
    expect(parseAccount(`${ID.slice(0, 63)}g`)).toMatchObject({ ok: false, reason: 'bad-character' });
    expect(parseAccount(`${address.slice(0, -1)}${address.endsWith('q') ? 'p' : 'q'}`)).toMatchObject({ ok: false, reason: 'bad-checksum' });
    expect(parseAccount('')).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseAccount(42)).toMatchObject({ ok: false, reason: 'not-a-string' });
  });

  it('refuses a bech32 (not bech32m) checksum over the same data', async () => {
    const { bech32 } = await import('@scure/base');
    const legacy = bech32.encode('tm', bech32.toWords(Uint8Array.from({ length: 32 }, (_, i) => i)));
    expect(parseAccount(legacy)).toMatchObject({ ok: false, reason: 'bad-checksum' });
  });

  it('burns to a key no one can sign with: a small-order point, refused by the verification rule', () => {
    expect(SMALL_ORDER_ENCODINGS).toContain(BURN_ACCOUNT);
  });

  it('round-trips every id', () => {
    fc.assert(fc.property(anyId, (id) => {
      expect(parseAccount(encodeAddress(id))).toEqual({ ok: true, value: id });
    }));
  });

  it('refuses every single-character substitution of a valid address', () => {
    fc.assert(
      fc.property(anyId, (id) => {
        const address = encodeAddress(id);
        for (let i = 0; i < address.length; i++) {
          for (const typed of TYPED) {
            if (typed === address[i]) continue;
            const typo = address.slice(0, i) + typed + address.slice(i + 1);
            const parsed = parseAccount(typo);
            if (parsed.ok) throw new Error(`accepted ${typo} (position ${i}: ${address[i]} -> ${typed})`);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('refuses every adjacent transposition of a valid address', () => {
    fc.assert(
      fc.property(anyId, (id) => {
        const address = encodeAddress(id);
        for (let i = 0; i + 1 < address.length; i++) {
          if (address[i] === address[i + 1]) continue; // swapping equal characters changes nothing
          const swapped = address.slice(0, i) + address[i + 1] + address[i] + address.slice(i + 2);
          const parsed = parseAccount(swapped);
          if (parsed.ok) throw new Error(`accepted ${swapped} (swap at ${i})`);
        }
      }),
      { numRuns: 200 },
    );
  });
});
