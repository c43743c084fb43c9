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

function describeError(error: unknown, at: string | undefined): string {
  if (!(error instanceof Error)) return `threw a non-Error: ${typeof error}`;
  return `${error.name}: ${error.message.slice(0, 300)}${at ? ` (${at})` : ''}`;
}

/**
 * Where an escaped exception came from: the first stack frame in project
 * code outside the fuzzer. A stack overflow's top frames are all the
 * recursion, so the failing input is replayed once with an unlimited stack
 * trace (only then: capturing whole stacks on every throw would slow the run).
 */
async function locate<I>(target: FuzzTarget<I>, input: I): Promise<string | undefined> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Infinity;
  try {
    await target.check(input);
    return undefined;
  } catch (error) {
    if (!(error instanceof Error) || error instanceof FuzzInvariantError) return undefined;
    return error.stack?.split('\n').find((line) => /\/(src|fullnode|signaling)\//.test(line) && !line.includes('/src/fuzz/'))?.trim().replace(/^at /, '').replace(`${process.cwd()}/`, '');
  } finally {
    Error.stackTraceLimit = limit;
  }
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
  const input = details.counterexample[0];
  const message = describeError(details.errorInstance, await locate(target, input));
  const savedTo = saveCase({ target: target.name, input, failure: message, seed: init.seed }, init.corpusDir);
  return { ...report, failure: { message, savedTo } };
}
