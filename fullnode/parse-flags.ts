/**
 * The one flag parser of the fullnode/ commands (tabmesh-node, tabmesh-cli).
 * It wraps node:util parseArgs, as e2e/demo.ts and bench/run.ts do, so the
 * grammar is Node's (`--flag value`, `--flag=value`, `--` ends flags), and
 * turns its exceptions into one-line results naming the flag: a command line
 * is untrusted input, so it becomes values or a rejection, never a throw.
 * (signaling/bin/ reads only environment variables, so it has no flag parser
 * to share.)
 */
import { parseArgs } from 'node:util';

/** A flag's kind; string flags take a value, boolean flags take none. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
}

export type FlagValues<S extends Record<string, FlagSpec>> = {
  [K in keyof S]?: S[K]['type'] extends 'string' ? string : boolean;
};

export type FlagParse<S extends Record<string, FlagSpec>> =
  | { ok: true; values: FlagValues<S>; positionals: string[] }
  | { ok: false; error: string };

/** The quoted flag in one of parseArgs' messages ("Unknown option '--foo'"). */
function quotedFlag(message: string): string {
  return /'(-{1,2}[^' =]+)/.exec(message)?.[1] ?? 'a flag';
}

function describeParseError(error: unknown): string {
  if (!(error instanceof Error)) throw error;
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${quotedFlag(error.message)}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quotedFlag(error.message);
      return error.message.includes('does not take an argument') ? `${flag} takes no value` : `${flag} needs a value`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(error.message)?.[1] ?? ''}`.trimEnd();
    default:
      // Anything else is a bug in a spec of ours, not the user's input.
      throw error;
  }
}

/**
 * Parses `argv` (without the node and script paths) against `spec`. Strict:
 * unknown flags, a missing value, a value given to a boolean flag and a flag
 * given twice are each a one-line error naming the flag.
 */
export function parseFlags<S extends Record<string, FlagSpec>>(argv: readonly string[], spec: S, init: { positionals: boolean }): FlagParse<S> {
  // multiple: true keeps every occurrence, so a repeated flag is an error
  // rather than the last one silently winning.
  const options = Object.fromEntries(Object.entries(spec).map(([name, flag]) => [name, { ...flag, multiple: true }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: init.positionals });
  } catch (error) {
    return { ok: false, error: describeParseError(error) };
  }
  const values: Record<string, string | boolean> = {};
  for (const [name, given] of Object.entries(parsed.values)) {
    // Every option is `multiple`, so each value is an array of occurrences.
    if (!Array.isArray(given)) continue;
    if (given.length > 1) return { ok: false, error: `--${name} is given more than once` };
    values[name] = given[0]!;
  }
  return { ok: true, values: values as FlagValues<S>, positionals: parsed.positionals };
}

/**
 * Reads a decimal integer from `min` to `max`, or returns an error naming
 * `what`. Digits only: Number('') is 0 and Number('1e3') is 1000, and neither
 * should pass as a count.
 */
export function parseIntegerIn(what: string, raw: string, min: number, max: number): { ok: true; value: number } | { ok: false; error: string } {
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) return { ok: false, error: `${what} must be an integer from ${min} to ${max}, got '${raw}'` };
  return { ok: true, value };
}
