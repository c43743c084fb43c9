import { describe, expect, it } from 'vitest';
import { seedNote, simSeed, withSeed } from './seed.ts';

describe('seeds and replay', () => {
  it('reads SIM_SEED, or falls back to the fixed seed', () => {
    expect(simSeed(5, {})).toBe(5);
    expect(simSeed(5, { SIM_SEED: '' })).toBe(5);
    expect(simSeed(5, { SIM_SEED: '123' })).toBe(123);
    const random = simSeed(5, { SIM_SEED: 'random' });
    expect(Number.isInteger(random) && random >= 0 && random < 2 ** 32).toBe(true);
    expect(() => simSeed(5, { SIM_SEED: 'abc' })).toThrow(/SIM_SEED/);
  });

  it('rethrows a failure with its seed and the replay command, keeping the error', async () => {
    const original = new RangeError('tx did not reach node 7');
    const caught = await withSeed(77, () => { throw original; }).catch((error: unknown) => error);
    expect(caught).toBe(original);
    expect(original.message).toBe(`tx did not reach node 7\n${seedNote(77)}`);
    expect(original.message).toContain('simulation seed: 77 (replay with SIM_SEED=77)');
    expect(original.stack).toContain('replay with SIM_SEED=77');
    await expect(withSeed(3, () => Promise.reject(new Error('async failure')))).rejects.toThrow(/SIM_SEED=3/);
    expect(await withSeed(3, (seed) => seed * 2)).toBe(6);
  });
});
