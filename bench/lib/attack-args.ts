/**
 * bench/attack.ts's positional arguments (its file comment lists them),
 * checked: a typo (`of` for `off`, a window of `30s`) must stop the run with
 * one line before an hour of simulation, not run a different experiment.
 */
export interface AttackArgs {
  honest: number;
  sybilCounts: number[];
  seeds: number[];
  windowMs: number;
  hosts: number;
  /** Undefined: the default path (bench/results/attack.json). */
  out: string | undefined;
  relay: boolean;
  /** The arms to run, in order: true is defences on. */
  arms: boolean[];
  serve: boolean;
}

export class AttackArgsError extends Error {
  override readonly name = 'AttackArgsError';
}

function integers(name: string, text: string, min: number, one = false): number[] {
  const parts = text.split(',');
  const values = parts.map(Number);
  const wellFormed = parts.every((part, i) => part.trim() !== '' && Number.isSafeInteger(values[i]) && values[i]! >= min);
  if (!wellFormed || (one && values.length !== 1)) {
    throw new AttackArgsError(`${name} must be ${one ? 'one integer' : 'integers'} of at least ${min}${one ? '' : ', comma-separated'}; got "${text}"`);
  }
  return values;
}

const integer = (name: string, text: string, min: number): number => integers(name, text, min, true)[0]!;

function choice<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new AttackArgsError(`${name} must be ${allowed.join(' or ')}; got "${text}"`);
  return text as T;
}

/** `args`: process.argv.slice(2). Throws AttackArgsError with a one-line reason. */
export function parseAttackArgs(args: readonly (string | undefined)[]): AttackArgs {
  const [honest = '1000', sybils = '1000,10000', seeds = '1', windowMs = '30000', hosts = '4', out, relay = 'on', defences = 'on,off', serve = 'no'] = args;
  if (args.length > 9) throw new AttackArgsError(`at most 9 arguments; got ${args.length}`);
  return {
    honest: integer('honest', honest, 1),
    sybilCounts: integers('sybils', sybils, 0),
    seeds: integers('seeds', seeds, 0),
    windowMs: integer('windowMs', windowMs, 1),
    hosts: integer('hosts', hosts, 1),
    out,
    relay: choice('relay', relay, ['on', 'off']) === 'on',
    arms: defences.split(',').map((arm) => choice('defences', arm, ['on', 'off']) === 'on'),
    serve: choice('hosts-serve', serve, ['no', 'yes']) === 'yes',
  };
}
