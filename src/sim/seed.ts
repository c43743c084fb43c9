/**
 * Seeds for simulations, and replaying a failure from its seed.
 *
 * A failing simulated run rethrows with "simulation seed: N (replay with
 * SIM_SEED=N)". `SIM_SEED=N npx vitest run src/sim` then reruns every
 * simulation with that seed; `SIM_SEED=random` draws a fresh seed per run
 * (printed on failure) to explore beyond the fixed seeds CI uses.
 */
import { InvalidArgumentError } from '../core/result.ts';

const MAX_SEED = 0xffff_ffff;

/** The seed to use: SIM_SEED from the environment when set, else `fallback`. */
export function simSeed(fallback: number, env: Record<string, string | undefined> = process.env): number {
  const raw = env.SIM_SEED?.trim();
  if (raw === undefined || raw === '') return fallback;
  // Math.random is fine here: this seed is printed on failure and that is how it replays.
  if (raw === 'random') return Math.floor(Math.random() * MAX_SEED);
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) throw new InvalidArgumentError(`SIM_SEED must be an integer in [0, 2^32) or "random", got "${raw}"`);
  return seed;
}

/** The line appended to a failure; tests may look for it. */
export const seedNote = (seed: number): string => `simulation seed: ${seed} (replay with SIM_SEED=${seed})`;

/**
 * Runs `fn(seed)`; if it throws, the same error is rethrown with the seed
 * note appended to its message (and stack), so assertion diffs survive.
 */
export async function withSeed<T>(seed: number, fn: (seed: number) => T | Promise<T>): Promise<T> {
  try {
    return await fn(seed);
  } catch (error) {
    const note = seedNote(seed);
    if (error instanceof Error) {
      if (!error.message.includes(note)) {
        const original = error.message;
        error.message = `${original}\n${note}`;
        if (error.stack?.includes(original)) error.stack = error.stack.replace(original, error.message);
      }
      throw error;
    }
    throw new Error(`${String(error)}\n${note}`, { cause: error });
  }
}
