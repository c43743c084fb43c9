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

  it('writes every byte as its two digits, whatever the length (a block is hundreds of kilobytes)', () => {
    const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256);
    const hex = toHex(bytes);
    expect(hex.length).toBe(600_000);
    expect(hex.slice(0, 8)).toBe('00070e15');
    expect(hex.slice(2 * 37, 2 * 37 + 2)).toBe(((37 * 7) % 256).toString(16).padStart(2, '0'));
    expect(fromHex(hex)).toEqual(bytes);
  });

  it('refuses odd lengths, upper case and non-hex characters', () => {
    for (const bad of ['a', 'abc', 'AB', '0g', 'zz', ' 00', '0\u00e9', '\u0660\u0661']) expect(fromHex(bad)).toBeUndefined();
    expect(fromHex('')).toEqual(new Uint8Array(0));
    expect(fromHex('00ff7f')).toEqual(Uint8Array.of(0, 255, 127));
  });
});
