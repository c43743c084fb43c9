import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './bytes.ts';

describe('hex', () => {
  it('round-trips any bytes through lower-case hex', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const hex = toHex(bytes);
        expect(hex).toMatch(/^(?:[0-9a-f]{2})*$/);
        expect(fromHex(hex)).toEqual(bytes);
      }),
    );
  });

  it('refuses odd lengths, upper case and non-hex characters', () => {
    for (const bad of ['a', 'abc', 'AB', '0g', 'zz', ' 00', '0\u00e9', '\u0660\u0661']) expect(fromHex(bad)).toBeUndefined();
    expect(fromHex('')).toEqual(new Uint8Array(0));
    expect(fromHex('00ff7f')).toEqual(Uint8Array.of(0, 255, 127));
  });
});
