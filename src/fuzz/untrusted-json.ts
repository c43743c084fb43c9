/**
 * JSON text as a hostile sender writes it: valid messages, messages with one
 * field swapped for a value of another type (or for thousands of nested
 * arrays, which overflow the stack of JSON.stringify and String() but not
 * of JSON.parse), byte-mutated messages, and noise.
 */
import * as fc from 'fast-check';
import { toHex } from '../core/bytes.ts';
import { mutatedText } from './mutate.ts';

/**
 * Nesting depths: shallow, and past the ~5,000 levels where V8's recursive
 * JSON.stringify / Array.prototype.join overflow (measured on Node 20).
 * 20,000 nested arrays are 40 KB, inside the relay's 64 KiB frame.
 */
const DEPTHS = [1, 3, 64, 6_000, 20_000] as const;

/** JSON text of `depth` nested arrays or objects. */
export function nestedJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`;
}

const nested = fc.record({ depth: fc.constantFrom(...DEPTHS), kind: fc.constantFrom('array' as const, 'object' as const) })
  .map(({ depth, kind }) => nestedJson(kind === 'object' ? Math.min(depth, 8_000) : depth, kind));

/** Values of every JSON type, including ones that break naive checks. */
const oddValue: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.constantFrom('-0', '1e308', '-1e308', '9007199254740993', '0.5', '-1', '""', 'null', 'true', '[]', '{}', '"__proto__"', '{"__proto__":{"x":1}}'),
  fc.integer({ min: 1, max: 70_000 }).map((length) => JSON.stringify('x'.repeat(length))),
  nested,
);

const PLACEHOLDER = '"@@fuzz-placeholder@@"';

/** `valid` with one field (one of its own, or one of `extraKeys`) replaced by an odd value. */
function fieldSwapped(valid: fc.Arbitrary<Record<string, unknown>>, extraKeys: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.nat(), fc.string({ maxLength: 8 }), oddValue).map(([object, pick, freeKey, value]) => {
    const keys = [...Object.keys(object), ...extraKeys, freeKey];
    const key = keys[pick % keys.length]!;
    return JSON.stringify({ ...object, [key]: PLACEHOLDER.slice(1, -1) }).replace(PLACEHOLDER, value);
  });
}

/**
 * The text inputs of a JSON decoder. `valid` builds well-formed messages;
 * `extraKeys` names fields the decoder reads that `valid` may leave out.
 */
export function untrustedJson(valid: fc.Arbitrary<Record<string, unknown>>, extraKeys: readonly string[] = []): fc.Arbitrary<string> {
  const validText = valid.map((value) => JSON.stringify(value));
  return fc.oneof(
    { arbitrary: validText, weight: 2 },
    { arbitrary: fieldSwapped(valid, extraKeys), weight: 4 },
    { arbitrary: mutatedText(validText), weight: 4 },
    { arbitrary: oddValue, weight: 1 },
    { arbitrary: fc.string({ maxLength: 64 }), weight: 1 },
  );
}

/** A JSON list as text: entries each given as text (valid, swapped or mutated by `entry`), or the whole list mutated. */
export function untrustedJsonList(entry: fc.Arbitrary<string>, maxLength = 6): fc.Arbitrary<string> {
  const list = fc.array(entry, { maxLength }).map((texts) => `[${texts.join(',')}]`);
  return fc.oneof({ arbitrary: list, weight: 4 }, { arbitrary: mutatedText(list), weight: 1 });
}

/** Lower-case hex of `bytes` bytes. */
export const hexOf = (bytes: number): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map(toHex);
