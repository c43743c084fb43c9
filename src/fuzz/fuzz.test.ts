/**
 * The short pass of every fuzz target (a few hundred seeded inputs each), the
 * replay of every saved regression case, and checks of the fuzzer's own
 * parts. The long pass is `npm run fuzz` (docs/SECURITY.md, "Fuzzing").
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCases } from './corpus.ts';
import { runTarget } from './fuzz-runner.ts';
import { FuzzInvariantError, type FuzzTarget } from './fuzz-target.ts';
import { applyMutation } from './mutate.ts';
import { FUZZ_TARGETS, findTarget } from './targets/index.ts';
import { nestedJson } from './untrusted-json.ts';

/** Inputs per target: with the slowest targets at ~900 inputs/s, the whole pass stays within a few seconds. */
const SHORT_RUNS = 300;
/** Fixed, so `npm test` is repeatable; `npm run fuzz` draws a new seed each run. */
const SEED = 23;

describe('fuzz targets, short pass', () => {
  it.each(FUZZ_TARGETS.map((target) => [target.name, target] as const))('%s keeps every invariant on seeded inputs, and reaches both acceptance and rejection', async (_name, target) => {
    const outcomes = { accepted: 0, rejected: 0 };
    await fc.assert(fc.asyncProperty(target.arbitrary, async (input) => {
      outcomes[await target.check(input)]++;
    }), { numRuns: SHORT_RUNS, seed: SEED });
    // A target whose inputs never pass (or never fail) the first check would fuzz nothing beyond it.
    expect(outcomes.accepted).toBeGreaterThan(SHORT_RUNS / 50);
    expect(outcomes.rejected).toBeGreaterThan(SHORT_RUNS / 50);
  });

  it('names every target once', () => {
    const names = FUZZ_TARGETS.map((target) => target.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('regression corpus', () => {
  const cases = loadCases();

  it('holds the inputs that once broke a decoder', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it('stores nesting deep enough to overflow this runtime, so its deep cases still test something', () => {
    // Deep cases are stored at 6,000 levels (V8 overflows past ~5,000); a runtime with a larger stack would make them vacuous.
    const value: unknown = JSON.parse(nestedJson(6_000, 'array'));
    expect(() => String(value)).toThrow(RangeError);
    expect(() => JSON.stringify(value)).toThrow(RangeError);
  });

  it.each(cases.map(({ file, entry }) => [file, entry] as const))('%s still keeps every invariant', async (_file, entry) => {
    const target = findTarget(entry.target);
    expect(target, `target ${entry.target}`).toBeDefined();
    await expect(Promise.resolve(target!.check(entry.input as never))).resolves.toMatch(/^(accepted|rejected)$/);
  });
});

describe('fuzz runner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tabmesh-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Breaks on any input holding byte 0x42, as a decoder with a bug would. */
  const buggy: FuzzTarget<Uint8Array> = {
    name: 'buggy',
    decoders: ['a test double'],
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    check: (bytes) => {
      if (bytes.includes(0x42)) throw new RangeError('the planted bug');
      return 'rejected';
    },
  };

  it('saves a failing input, shrunk, where the corpus replays it', async () => {
    const report = await runTarget(buggy, { runs: 10_000, seed: 1, corpusDir: dir });
    expect(report.failure?.message).toMatch(/^RangeError: the planted bug/);
    expect(readdirSync(dir)).toHaveLength(1);
    const [saved] = loadCases(dir);
    expect(saved!.entry.target).toBe('buggy');
    // fast-check shrinks the input to (nearly) the one byte that matters.
    const input = saved!.entry.input as Uint8Array;
    expect(input).toBeInstanceOf(Uint8Array);
    expect(input.length).toBeLessThanOrEqual(2);
    expect(input).toContain(0x42);
    expect(() => buggy.check(input)).toThrow(RangeError);
  });

  it('reports a clean run with its counts', async () => {
    const clean: FuzzTarget<number> = { name: 'clean', decoders: [], arbitrary: fc.nat(), check: (n) => (n % 2 === 0 ? 'accepted' : 'rejected') };
    const report = await runTarget(clean, { runs: 500, seed: 2, corpusDir: dir });
    expect(report).toMatchObject({ target: 'clean', runs: 500 });
    expect(report.failure).toBeUndefined();
    expect(report.accepted).toBeGreaterThan(0);
    expect(report.accepted).toBeLessThan(500);
  });

  it('tells a broken invariant from an escaped exception', () => {
    expect(new FuzzInvariantError('x').name).toBe('FuzzInvariantError');
  });
});

describe('byte mutations', () => {
  const input = Uint8Array.of(1, 2, 3, 4);

  it('apply each edit at a position that wraps around the input', () => {
    expect(applyMutation(input, { op: 'flip', at: 5, bit: 0 })).toEqual(Uint8Array.of(1, 3, 3, 4));
    expect(applyMutation(input, { op: 'set', at: 0, value: 9 })).toEqual(Uint8Array.of(9, 2, 3, 4));
    expect(applyMutation(input, { op: 'insert', at: 2, bytes: Uint8Array.of(7) })).toEqual(Uint8Array.of(1, 2, 7, 3, 4));
    expect(applyMutation(input, { op: 'delete', at: 1, count: 2 })).toEqual(Uint8Array.of(1, 4));
    expect(applyMutation(input, { op: 'splice', at: 3, bytes: Uint8Array.of(8, 8) })).toEqual(Uint8Array.of(1, 2, 3, 8, 8));
    expect(applyMutation(input, { op: 'truncate', at: 2 })).toEqual(Uint8Array.of(1, 2));
    expect(applyMutation(input, { op: 'extend', bytes: Uint8Array.of(5) })).toEqual(Uint8Array.of(1, 2, 3, 4, 5));
    expect(applyMutation(input, { op: 'boundary', at: 1, width: 2, value: 0xffff })).toEqual(Uint8Array.of(1, 0xff, 0xff, 4));
  });

  it('leave the input itself untouched and handle an empty one', () => {
    applyMutation(input, { op: 'flip', at: 0, bit: 7 });
    expect(input).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(applyMutation(new Uint8Array(0), { op: 'flip', at: 3, bit: 1 })).toEqual(new Uint8Array(0));
    expect(applyMutation(new Uint8Array(0), { op: 'insert', at: 3, bytes: Uint8Array.of(1) })).toEqual(Uint8Array.of(1));
  });
});
