/**
 * What the LevelDB store's putMeta accepts, and how it is stored. IndexedDB
 * structured-clones any value (a CryptoKey included); LevelDB stores bytes,
 * and the headless node keeps only JSON-like settings there (its peer book,
 * identity-free settings), so the accepted values are:
 *
 * - null, booleans, strings, and finite numbers (-0 reads back as 0);
 * - Uint8Array (a Buffer reads back as a plain Uint8Array);
 * - arrays of accepted values;
 * - plain objects (prototype Object.prototype or null) of accepted values,
 *   except that a property whose value is undefined is left out (as
 *   JSON.stringify does) and the property name `$bytes` is reserved.
 *
 * Anything else (undefined outside an object, NaN and ±Infinity, bigint,
 * functions, symbols, Date, Map, Set, class instances, other typed arrays, a
 * CryptoKey, a value that contains itself, nesting deeper than
 * MAX_META_DEPTH) is refused with a StorageError of kind 'data' naming where
 * in the value it sits, and nothing is written. The encoding is JSON with each
 * Uint8Array as {"$bytes": "<base64>"}.
 */
import { Buffer } from 'node:buffer';
import { damagedRecord, parseJson } from './level-records.ts';
import { StorageError } from './storage-error.ts';

/** Deeper is surely a bug, and walking it could overflow the stack on read. */
export const MAX_META_DEPTH = 64;

const BYTES_TAG = '$bytes';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function refuse(operation: string, path: string, why: string): StorageError {
  return new StorageError('data', operation, `Could not ${operation}: ${path} ${why}. Settings stored in LevelDB must be JSON values or Uint8Arrays (level-meta-codec.ts).`);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The JSON-safe tree of `value`, or a 'data' StorageError naming the first refused part. */
function toTree(value: unknown, path: string, ancestors: object[], operation: string): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw refuse(operation, path, `is ${value}, which JSON cannot hold`);
      return value;
    case 'object':
      break;
    default:
      throw refuse(operation, path, value === undefined ? 'is undefined' : `is a ${typeof value}`);
  }
  if (value === null) return null;
  if (ancestors.includes(value)) throw refuse(operation, path, 'contains itself');
  if (ancestors.length >= MAX_META_DEPTH) throw refuse(operation, path, `is nested deeper than ${MAX_META_DEPTH} levels`);
  if (value instanceof Uint8Array) return { [BYTES_TAG]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  const inner = [...ancestors, value];
  if (Array.isArray(value)) {
    return Array.from({ length: value.length }, (_, i) => {
      const item: unknown = value[i];
      if (item === undefined) throw refuse(operation, `${path}[${i}]`, 'is undefined');
      return toTree(item, `${path}[${i}]`, inner, operation);
    });
  }
  if (!isPlainObject(value)) throw refuse(operation, path, `is a ${value.constructor?.name ?? 'non-plain object'}, not a plain object`);
  if (Object.hasOwn(value, BYTES_TAG)) throw refuse(operation, path, `has the property ${BYTES_TAG}, which is reserved`);
  // Object.fromEntries defines own properties, so a key named __proto__ stays a key.
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => [key, toTree(item, `${path}.${key}`, inner, operation)]),
  );
}

/** The stored JSON text of a setting; throws a 'data' StorageError for a value outside the accepted set. */
export function encodeMetaValue(value: unknown, operation: string): string {
  return JSON.stringify(toTree(value, 'the value', [], operation));
}

function fromTree(node: unknown, depth: number, damaged: (detail: string) => StorageError): unknown {
  // JSON.parse reads 1e400 as Infinity, which encodeMetaValue never writes: damage, like any value that could not have been stored.
  if (typeof node === 'number' && !Number.isFinite(node)) throw damaged('holds a number beyond what JSON can carry');
  if (typeof node !== 'object' || node === null) return node;
  if (depth >= MAX_META_DEPTH) throw damaged(`nested deeper than ${MAX_META_DEPTH} levels`);
  if (Array.isArray(node)) return node.map((item: unknown) => fromTree(item, depth + 1, damaged));
  const record = node as Record<string, unknown>;
  if (Object.hasOwn(record, BYTES_TAG)) {
    const text = record[BYTES_TAG];
    if (Object.keys(record).length !== 1 || typeof text !== 'string' || !BASE64.test(text)) throw damaged(`a ${BYTES_TAG} entry is malformed`);
    return new Uint8Array(Buffer.from(text, 'base64'));
  }
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, fromTree(item, depth + 1, damaged)]));
}

/** A stored setting, decoded; a value that does not parse back is 'corrupt'. */
export function decodeMetaValue(key: string, bytes: Uint8Array, operation: string): unknown {
  const what = `setting ${JSON.stringify(key)}`;
  return fromTree(parseJson(bytes, operation, what, damagedRecord), 0, (detail) => damagedRecord(operation, `${what}: ${detail}`));
}
