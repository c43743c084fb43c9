/**
 * Vitest glue for simulations: `simIt(name, seed, fn)` runs `fn` with
 * SIM_SEED (when set) or the given seed, and a failure names the seed and how
 * to replay it.
 */
import { it } from 'vitest';
import { simSeed, withSeed } from '../../src/sim/seed.ts';

export function simIt(name: string, seed: number, fn: (seed: number) => Promise<void>, timeoutMs?: number): void {
  it(name, () => withSeed(simSeed(seed), fn), timeoutMs);
}
