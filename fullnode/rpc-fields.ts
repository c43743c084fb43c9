/**
 * Field rules of the RPC, shared by the server (which enforces them on JSON
 * bodies and path segments) and tabmesh-cli (which checks its arguments
 * before dialling, so a typo is a usage error, not a round trip). Each check
 * returns an error naming the field, or undefined.
 */
import { parseAccount } from '../src/core/address.ts';
import { HEX_ID, MAX_MINE_BLOCKS } from './rpc-api.ts';

/** A send as the server passes it on. */
export interface SendRequest {
  to: string;
  amount: number;
  fee?: number;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

export function checkHexId(field: string, value: unknown): string | undefined {
  return typeof value === 'string' && HEX_ID.test(value) ? undefined : `${field} must be 64 lower-case hex characters`;
}

/**
 * An account: a `tm1…` address (core/address.ts, whose checksum catches a
 * typo) or the 64-hex id; the value is the 64 lower-case hex id.
 */
export function checkAccount(field: string, value: unknown): Checked<string> {
  const parsed = parseAccount(value);
  return parsed.ok ? parsed : { ok: false, error: `${field} must be a tm1 address or 64 hex characters: ${parsed.detail}` };
}

/** A JSON number that is a whole number from 1 to `max` (default 2^53-1: amounts are u64 on the wire but JS-safe in the ledger). */
export function checkPositiveInteger(field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): string | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    return max === Number.MAX_SAFE_INTEGER ? `${field} must be a positive safe integer` : `${field} must be an integer from 1 to ${max}`;
  }
  return undefined;
}

/** Refuses fields the call does not know, so a misspelt `fee` is not silently the default fee. */
function checkObject(value: unknown, fields: readonly string[]): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'body must be a JSON object';
  const unknown = Object.keys(value).find((key) => !fields.includes(key));
  return unknown === undefined ? undefined : `unknown field '${unknown}' (expected ${fields.join(', ')})`;
}

/** POST /send's body: {to, amount, fee?}. */
export function checkSendBody(value: unknown): Checked<SendRequest> {
  const shape = checkObject(value, ['to', 'amount', 'fee']);
  if (shape) return { ok: false, error: shape };
  const { to, amount, fee } = value as Record<string, unknown>;
  const recipient = checkAccount('to', to);
  if (!recipient.ok) return recipient;
  const error = checkPositiveInteger('amount', amount) ?? (fee === undefined ? undefined : checkPositiveInteger('fee', fee));
  if (error) return { ok: false, error };
  return { ok: true, value: { to: recipient.value, amount: amount as number, ...(fee === undefined ? {} : { fee: fee as number }) } };
}

/** POST /mine's body: {blocks}, 1 to MAX_MINE_BLOCKS. */
export function checkMineBody(value: unknown): Checked<{ blocks: number }> {
  const shape = checkObject(value, ['blocks']);
  if (shape) return { ok: false, error: shape };
  const { blocks } = value as Record<string, unknown>;
  const error = checkPositiveInteger('blocks', blocks, MAX_MINE_BLOCKS);
  return error ? { ok: false, error } : { ok: true, value: { blocks: blocks as number } };
}
