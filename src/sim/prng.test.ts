import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/result.ts';
import { createPrng } from './prng.ts';

const draw = (seed: number, count = 8) => {
  const prng = createPrng(seed);
  return Array.from({ length: count }, () => prng.uint32());
};

describe('seeded PRNG (sfc32)', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(0)).not.toEqual(draw(1));
  });

  it('pins its output, so a change to the generator (which would break every replay) is caught', () => {
    expect(draw(1, 4)).toMatchInlineSnapshot(`
      [
        993175036,
        3881093938,
        2404982436,
        740355888,
      ]
    `);
  });

  it('forks streams that depend on the label and the seed, not on how far the parent has drawn', () => {
    const a = createPrng(7);
    const b = createPrng(7);
    for (let i = 0; i < 100; i++) b.uint32();
    expect(a.fork('links').uint32()).toBe(b.fork('links').uint32());
    expect(a.fork('links').uint32()).not.toBe(a.fork('nodes').uint32());
    expect(a.fork('x').fork('y').label).toBe('root/x/y');
    expect(createPrng(8).fork('links').uint32()).not.toBe(a.fork('links').uint32());
  });

  it('forks 10,000 distinct streams without a collision', () => {
    const root = createPrng(3);
    const firsts = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const fork = root.fork(`node/${i}`);
      firsts.add(`${fork.uint32()}-${fork.uint32()}`);
    }
    expect(firsts.size).toBe(10_000);
  });

  it('draws int(max) in range, roughly uniformly', () => {
    const prng = createPrng(5);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[prng.int(10)]++;
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500); // > 5 sigma
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 1, max: 2 ** 32 }), (seed, max) => {
      const value = createPrng(seed).int(max);
      return Number.isInteger(value) && value >= 0 && value < max;
    }));
  });

  it('chance(p) hits about p of the time, and never or always at the ends', () => {
    const prng = createPrng(9);
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (prng.chance(0.05)) hits++;
    expect(Math.abs(hits - 5_000)).toBeLessThan(400);
    expect(Array.from({ length: 100 }, () => prng.chance(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 100 }, () => prng.chance(1)).every(Boolean)).toBe(true);
  });

  it('shuffles into a permutation, picks members, and fills bytes', () => {
    const prng = createPrng(11);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = prng.shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(items).toContain(prng.pick(items));
    const bytes = prng.bytes(33);
    expect(bytes).toHaveLength(33);
    expect(new Set(bytes).size).toBeGreaterThan(10);
    expect(() => prng.pick([])).toThrow(InvalidArgumentError);
  });

  it('rejects seeds that are not 32-bit unsigned integers, naming the field', () => {
    for (const seed of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => createPrng(seed)).toThrow(/seed must be/);
  });
});
