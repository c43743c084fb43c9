/**
 * Runs one target for N inputs with fast-check (seeded, so a run can be
 * repeated), and saves the shrunk failing input to the corpus.
 */
import * as fc from 'fast-check';
import { saveCase } from './corpus.ts';
import { FuzzInvariantError, type FuzzTarget } from './fuzz-target.ts';

export interface FuzzRunInit {
  runs: number;
  seed: number;
  /** Where a failing input is written; CORPUS_DIR by default. */
  corpusDir?: string;
}

export interface FuzzRunReport {
  target: string;
  runs: number;
  elapsedMs: number;
  /** Inputs the main decoder accepted; the rest it rejected. */
  accepted: number;
  /** Absent when every input kept every invariant. */
  failure?: { message: string; savedTo: string };
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `threw a non-Error: ${typeof error}`;
  // The first frame in project code outside the fuzzer: where the exception escaped from.
  const at = error instanceof FuzzInvariantError ? undefined
    : error.stack?.split('\n').find((line) => /\/(src|fullnode|signaling)\//.test(line) && !line.includes('/src/fuzz/'))?.trim();
  return `${error.name}: ${error.message.slice(0, 300)}${at ? ` (${at})` : ''}`;
}

export async function runTarget<I>(target: FuzzTarget<I>, init: FuzzRunInit): Promise<FuzzRunReport> {
  const started = performance.now();
  let accepted = 0;
  const property = fc.asyncProperty(target.arbitrary, async (input) => {
    if ((await target.check(input)) === 'accepted') accepted++;
  });
  const details = await fc.check(property, { numRuns: init.runs, seed: init.seed, endOnFailure: false });
  const elapsedMs = Math.round(performance.now() - started);
  // Shrinking re-runs inputs, so `accepted` counts a failed run's shrink steps too; it is a rough figure then.
  const report = { target: target.name, runs: details.numRuns, elapsedMs, accepted };
  if (!details.failed || details.counterexample === null) return report;
  const message = describeError(details.errorInstance);
  const savedTo = saveCase({ target: target.name, input: details.counterexample[0], failure: message, seed: init.seed }, init.corpusDir);
  return { ...report, failure: { message, savedTo } };
}
