/**
 * `npm run fuzz -- [--target NAME] [--runs N] [--seed S] [--list]`
 *
 * Runs every fuzz target (or one) for N inputs each (default 100,000) and
 * prints the time per target. A failing input is shrunk, saved to
 * src/fuzz/regressions/ and replayed by `npm test` from then on; the command
 * exits 1 if any target failed. The seed defaults to the time, so each run
 * explores new inputs; pass --seed to repeat one.
 */
import { parseArgs } from 'node:util';
import { runTarget } from './fuzz-runner.ts';
import { FUZZ_TARGETS, findTarget } from './targets/index.ts';

const DEFAULT_RUNS = 100_000;

const { values } = parseArgs({
  options: { target: { type: 'string', multiple: true }, runs: { type: 'string' }, seed: { type: 'string' }, list: { type: 'boolean' } },
  strict: true,
});

if (values.list) {
  for (const target of FUZZ_TARGETS) console.log(`${target.name.padEnd(18)} ${target.decoders.join('; ')}`);
  process.exit(0);
}

const runs = values.runs === undefined ? DEFAULT_RUNS : Number(values.runs);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

const targets = values.target === undefined ? FUZZ_TARGETS : values.target.map((name) => {
  const target = findTarget(name);
  if (!target) throw new Error(`unknown target '${name}'; --list shows them`);
  return target;
});

console.log(`fuzzing ${targets.length} target(s), ${runs.toLocaleString('en')} inputs each, seed ${seed}`);
let failed = 0;
for (const target of targets) {
  const report = await runTarget(target, { runs, seed });
  const rate = Math.round(report.runs / Math.max(report.elapsedMs, 1) * 1000);
  const line = `${target.name.padEnd(18)} ${String(report.runs).padStart(8)} inputs ${(report.elapsedMs / 1000).toFixed(1).padStart(7)} s ${String(rate).padStart(7)}/s ${(100 * report.accepted / Math.max(report.runs, 1)).toFixed(0).padStart(3)}% accepted`;
  if (report.failure) {
    failed++;
    console.log(`${line}  FAILED: ${report.failure.message}\n${' '.repeat(19)}saved to ${report.failure.savedTo}`);
  } else {
    console.log(`${line}  ok`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
