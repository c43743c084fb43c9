/**
 * What a fuzz target is, and the invariants every decoder is held to
 * (docs/SECURITY.md, "Fuzzing"):
 *
 * 1. No exception escapes: a decoder returns a value or a named rejection.
 *    Decoders whose contract is to throw a named error (config readers throw
 *    ConfigError, storage readers a 'corrupt' StorageError) may throw that
 *    and nothing else.
 * 2. Every rejection has a reason: a non-empty code, and a non-empty detail
 *    short enough to log (MAX_DETAIL_CHARS).
 * 3. State stays bounded: stateful consumers of decoded input keep their
 *    maps within their caps, whatever arrives.
 * 4. A valid input round-trips: what decodes re-encodes to the same bytes
 *    (one encoding per value, so nothing is malleable in transit).
 *
 * A target's input is a JSON-safe "recipe" (bytes, text, argv) so a failing
 * input can be written to the regression corpus and replayed (corpus.ts).
 */
import type * as fc from 'fast-check';

export interface FuzzTarget<I = unknown> {
  /** Kebab-case name, used by `npm run fuzz -- --target NAME` and in the corpus. */
  name: string;
  /** The decoders it drives, by file and function. */
  decoders: string[];
  /** Valid inputs, byte/text mutations of them, and unstructured noise. */
  arbitrary: fc.Arbitrary<I>;
  /** Runs the decoders on one input; throws when an invariant breaks (or when a decoder throws). */
  check(input: I): FuzzOutcome | Promise<FuzzOutcome>;
}

/**
 * What the target's main decoder made of an input. The runner counts both, so
 * a target whose inputs never get past the first check (or are never
 * refused) shows up as such rather than as a pass.
 */
export type FuzzOutcome = 'accepted' | 'rejected';

export const outcome = (accepted: boolean): FuzzOutcome => (accepted ? 'accepted' : 'rejected');

/** Thrown by a target when an invariant breaks; anything else thrown is an exception that escaped a decoder. */
export class FuzzInvariantError extends Error {
  override readonly name = 'FuzzInvariantError';
}

/**
 * A rejection's detail is logged (and counted per peer); 512 characters name
 * any field and limit, while a detail quoting a hostile 60 KB value would
 * turn a flood of bad frames into a flood of log (issue 23, "the relay's own costs").
 */
export const MAX_DETAIL_CHARS = 512;

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new FuzzInvariantError(message);
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** The shapes of rejection the project uses: core's Reject, the channel's ChannelReject, and the fullnode's `{ok:false, error}`. */
interface AnyResult {
  ok: boolean;
  reason?: unknown;
  detail?: unknown;
  error?: unknown;
}

/** Checks invariant 2 on a result; returns whether it was accepted. */
export function checkResult(result: AnyResult, what: string): boolean {
  invariant(typeof result === 'object' && result !== null && typeof result.ok === 'boolean', `${what}: returned ${typeof result}, not a result`);
  if (result.ok) return true;
  const code = result.reason ?? result.error;
  invariant(isNonEmptyString(code), `${what}: a rejection without a reason`);
  if ('detail' in result) {
    invariant(isNonEmptyString(result.detail), `${what}: rejection '${code}' has an empty detail`);
    invariant(result.detail.length <= MAX_DETAIL_CHARS, `${what}: rejection '${code}' has a ${result.detail.length}-character detail, limit ${MAX_DETAIL_CHARS}`);
  }
  if (result.error !== undefined) invariant(code.length <= MAX_DETAIL_CHARS * 2, `${what}: a ${code.length}-character error`);
  return false;
}

/**
 * Runs a decoder whose contract is to throw a named error: returns its value,
 * or undefined when it threw an error `allowed` accepts with a non-empty
 * message. Any other error is rethrown: it escaped.
 */
export function expectNamedThrow<T>(run: () => T, allowed: (error: unknown) => boolean, what: string): T | undefined {
  try {
    return run();
  } catch (error) {
    if (!allowed(error)) throw error;
    invariant(isNonEmptyString((error as Error).message), `${what}: threw ${(error as Error).name} without a message`);
    return undefined;
  }
}

export function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const same = actual.length === expected.length && actual.every((byte, i) => byte === expected[i]);
  invariant(same, `${what}: re-encoding gave ${actual.length} bytes that differ from the ${expected.length} decoded`);
}

/**
 * Two decoded values are the same message: equal as JSON text, which is how
 * they travel and are stored (so -0 and 0 are one value, as on the wire).
 */
export function sameJson(actual: unknown, expected: unknown, what: string): void {
  invariant(JSON.stringify(actual) === JSON.stringify(expected), `${what}: the value does not read back the same`);
}
