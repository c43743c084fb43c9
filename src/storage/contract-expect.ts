/**
 * The contract suites' own assertions: a small `expect` with the matchers the
 * LedgerStore contract uses, and no test framework behind it, so the same
 * cases run under vitest in Node (ledger-store.test.ts) and as a plain bundle
 * in a real browser (e2e/store-contract/). A failed assertion throws a
 * ContractAssertionError saying what was expected and what was received.
 *
 * `toEqual` follows vitest's: recursive, Object.is on primitives, the same
 * kind of object on both sides (an Array never equals a Uint8Array),
 * properties whose value is undefined ignored. `toMatchObject` checks only the
 * expected keys, and finds them on the prototype chain too (an error's name).
 */
import type { PeerId } from '../core/types.ts';
import type { LedgerStore } from './ledger-store.ts';

/** What a case may ask of the store it opens: an owner (whose history the `txs` store keeps). */
export interface StoreOpenInit {
  owner?: PeerId;
}

/** Returns a fresh, empty store, opened with `init`. */
export type OpenStore = (init?: StoreOpenInit) => Promise<LedgerStore>;

/** One contract case. `open` returns a fresh, empty store; the case closes it. */
export interface StoreContractCase {
  name: string;
  run(open: OpenStore): Promise<void>;
}

export class ContractAssertionError extends Error {
  override name = 'ContractAssertionError';
}

/** Opens a fresh store (with what `init` resolves to), runs `body` on it and closes it, whether or not `body` threw. */
export function storeCase(name: string, body: (store: LedgerStore) => Promise<void>, init?: () => Promise<StoreOpenInit>): StoreContractCase {
  return {
    name,
    async run(open) {
      const store = await open(await init?.());
      try {
        await body(store);
      } finally {
        store.close();
      }
    },
  };
}

/** Resolves with what `promise` rejects with, or with an Error saying it did not reject. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
}

/** Runs `make` once, on first use, and hands every caller the same promise (the cases' shared fixtures). */
export function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

const tag = (value: unknown): string => Object.prototype.toString.call(value);
const isObject = (value: unknown): value is Record<PropertyKey, unknown> => typeof value === 'object' && value !== null;

function definedKeys(value: object): string[] {
  return Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined);
}

/** The bytes of a typed array, DataView or ArrayBuffer (the same tag on both sides is checked first). */
function bytesOf(value: object): Uint8Array {
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(value as ArrayBuffer);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (!isObject(a) || !isObject(b) || tag(a) !== tag(b)) return false;
  if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer) {
    const [x, y] = [bytesOf(a), bytesOf(b)];
    return x.length === y.length && x.every((byte, i) => byte === y[i]);
  }
  if (a instanceof Date) return Object.is(a.getTime(), (b as unknown as Date).getTime());
  if (a instanceof Map) {
    const other = b as unknown as Map<unknown, unknown>;
    return a.size === other.size && [...a].every(([key, value]) => other.has(key) && deepEqual(value, other.get(key)));
  }
  if (a instanceof Set) {
    const other = b as unknown as Set<unknown>;
    return a.size === other.size && [...a].every((value) => other.has(value));
  }
  if (Array.isArray(a)) {
    const other = b as unknown as unknown[];
    return a.length === other.length && a.every((value, i) => deepEqual(value, other[i]));
  }
  const keys = definedKeys(a);
  const otherKeys = definedKeys(b);
  return keys.length === otherKeys.length && keys.every((key) => otherKeys.includes(key) && deepEqual(a[key], b[key]));
}

function matchesObject(actual: unknown, expected: unknown): boolean {
  if (!isObject(expected) || !isObject(actual)) return deepEqual(actual, expected);
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((value, i) => matchesObject(actual[i], value));
  }
  if (ArrayBuffer.isView(expected) || expected instanceof Map || expected instanceof Set || expected instanceof Date) return deepEqual(actual, expected);
  return Object.keys(expected).every((key) => key in actual && matchesObject(actual[key], expected[key]));
}

/** A short, readable rendering of a value for failure messages (bytes, errors, cycles and long lists included). */
export function show(value: unknown, depth = 0, seen: unknown[] = []): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (!isObject(value)) return String(value);
  if (seen.includes(value)) return '[circular]';
  if (depth > 4) return `[${value.constructor?.name ?? 'Object'}]`;
  const inner = (v: unknown) => show(v, depth + 1, [...seen, value]);
  const list = (items: string[]) => (items.length > 12 ? [...items.slice(0, 12), `… ${items.length - 12} more`] : items).join(', ');
  if (value instanceof RegExp) return String(value);
  if (value instanceof Error) return `${value.name}(${JSON.stringify(value.message)})${'kind' in value ? ` kind=${String(value.kind)}` : ''}`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.byteLength}) [${list(Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), String))}]`;
  if (Array.isArray(value)) return `[${list(value.map(inner))}]`;
  if (value instanceof Map) return `Map {${list([...value].map(([k, v]) => `${inner(k)} => ${inner(v)}`))}}`;
  if (value instanceof Set) return `Set {${list([...value].map(inner))}}`;
  const name = value.constructor && value.constructor !== Object ? `${value.constructor.name} ` : '';
  return `${name}{${list(Object.keys(value).map((key) => `${key}: ${inner(value[key])}`))}}`;
}

export interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toBeInstanceOf(type: abstract new (...args: never[]) => unknown): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toBeNull(): void;
  toMatch(pattern: RegExp): void;
  toHaveLength(length: number): void;
  toContain(item: unknown): void;
}

/** vitest-like `expect(actual).toEqual(expected)`, and `.not` for each matcher. */
export function expect(actual: unknown): Matchers & { not: Matchers } {
  const make = (negate: boolean): Matchers => {
    const check = (pass: boolean, what: string, ...expected: [unknown?]) => {
      if (pass !== negate) return;
      const shown = expected.length > 0 ? ` ${show(expected[0])}` : '';
      throw new ContractAssertionError(`expected ${show(actual)} ${negate ? 'not ' : ''}${what}${shown}`);
    };
    return {
      toBe: (expected) => check(Object.is(actual, expected), 'to be', expected),
      toEqual: (expected) => check(deepEqual(actual, expected), 'to equal', expected),
      toMatchObject: (expected) => check(matchesObject(actual, expected), 'to match object', expected),
      toBeInstanceOf: (type) => check(actual instanceof type, `to be an instance of ${type.name}`),
      toBeUndefined: () => check(actual === undefined, 'to be undefined'),
      toBeDefined: () => check(actual !== undefined, 'to be defined'),
      toBeNull: () => check(actual === null, 'to be null'),
      toMatch: (pattern) => check(typeof actual === 'string' && pattern.test(actual), 'to match', pattern),
      toHaveLength: (length) => check(isObject(actual) && actual.length === length, `to have length ${length}`),
      toContain: (item) => check(Array.isArray(actual) && actual.includes(item), 'to contain', item),
    };
  };
  return Object.assign(make(false), { not: make(true) });
}
