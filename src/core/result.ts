/**
 * Remote failures are values, not exceptions (gossipsub's RejectReason): the
 * reason is logged, counted in stats() and, in later issues, feeds peer bans.
 */

export type RejectReason =
  | 'bad-json'
  | 'truncated'
  | 'trailing-bytes'
  | 'too-large'
  | 'bad-version'
  | 'unknown-type'
  | 'bad-field'
  | 'bad-signature'
  | 'wrong-network'
  | 'wrong-recipient'
  | 'expired'
  | 'duplicate';

export interface Reject {
  ok: false;
  reason: RejectReason;
  /** Human-readable detail naming the field or limit involved. */
  detail: string;
}

export interface Accept<T> {
  ok: true;
  value: T;
}

export type Result<T> = Accept<T> | Reject;

export function accept<T>(value: T): Accept<T> {
  return { ok: true, value };
}

export function reject(reason: RejectReason, detail: string): Reject {
  return { ok: false, reason, detail };
}

/** Programmer errors at an API edge throw this, naming the field (noble's titled asserts). */
export class InvalidArgumentError extends Error {
  override readonly name = 'InvalidArgumentError';
}
