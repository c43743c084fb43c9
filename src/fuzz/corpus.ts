/**
 * The regression corpus: every input that once broke an invariant, one JSON
 * file each in src/fuzz/regressions/, replayed by every `npm test`
 * (fuzz.test.ts) so a fixed bug stays fixed. Inputs are the targets'
 * recipes; bytes are stored as hex.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CORPUS_DIR = new URL('./regressions/', import.meta.url).pathname;

export interface RegressionCase {
  target: string;
  /** The recipe as the target's arbitrary produced it (bytes as {"$hex": …}). */
  input: unknown;
  /** The invariant it broke, or the exception that escaped, when it was found. */
  failure: string;
  /** The fast-check seed of the run that found it (absent for cases written by hand). */
  seed?: number;
}

const replacer = (_key: string, value: unknown): unknown =>
  value instanceof Uint8Array ? { $hex: Buffer.from(value).toString('hex') } : value;

const reviver = (_key: string, value: unknown): unknown => {
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 1 && typeof (value as { $hex?: unknown }).$hex === 'string') {
    return new Uint8Array(Buffer.from((value as { $hex: string }).$hex, 'hex'));
  }
  return value;
};

export function encodeCase(entry: RegressionCase): string {
  return `${JSON.stringify(entry, replacer, 2)}\n`;
}

export function decodeCase(text: string): RegressionCase {
  return JSON.parse(text, reviver) as RegressionCase;
}

/** Writes `entry` as `<target>-<hash of its input>.json` (the same input is stored once); returns the path. */
export function saveCase(entry: RegressionCase, dir = CORPUS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const digest = createHash('sha256').update(JSON.stringify(entry.input, replacer)).digest('hex').slice(0, 12);
  const path = join(dir, `${entry.target}-${digest}.json`);
  writeFileSync(path, encodeCase(entry));
  return path;
}

/** Every stored case, with its file name. */
export function loadCases(dir = CORPUS_DIR): { file: string; entry: RegressionCase }[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return files.map((file) => ({ file, entry: decodeCase(readFileSync(join(dir, file), 'utf8')) }));
}
