/**
 * Checks the Send form's fields before anything is signed. These are input
 * checks only; balance, nonce and signature rules belong to core.
 */
import { isHexOfLength } from '../core/bytes.ts';

export type SendField = 'recipient' | 'amount' | 'fee';

export interface SendInput {
  recipient: string;
  amount: string;
  fee: string;
}

export interface SendRequest {
  to: string;
  amount: number;
  fee: number;
}

export type SendValidation =
  | { ok: true; value: SendRequest; errors: Partial<Record<SendField, string>> }
  | { ok: false; errors: Partial<Record<SendField, string>> };

const DIGITS = /^\d+$/;

function checkRecipient(raw: string): string | undefined {
  const value = raw.trim().toLowerCase();
  if (value === '') return 'Enter the recipient’s peer id.';
  if (!/^[0-9a-f]*$/.test(value)) return 'A peer id uses only the hex digits 0–9 and a–f.';
  const length = value.length; // read before the type guard, which narrows a failing string to never
  if (!isHexOfLength(value, 32)) return `A peer id is 64 hex characters; this has ${length}.`;
  return undefined;
}

function checkInteger(raw: string, name: 'Amount' | 'Fee', min: number): string | undefined {
  const value = raw.trim();
  if (value === '') return name === 'Amount' ? 'Enter an amount.' : 'Enter a fee (0 or more).';
  if (!DIGITS.test(value)) return `${name} must be a whole number${min > 0 ? ' of at least 1' : ', 0 or more'}.`;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) return `${name} is too large (at most ${Number.MAX_SAFE_INTEGER}).`;
  if (n < min) return `${name} must be at least ${min}.`;
  return undefined;
}

/** Validates every field; `ok` carries the normalized request. */
export function validateSend(input: SendInput): SendValidation {
  const errors: Partial<Record<SendField, string>> = {};
  const recipient = checkRecipient(input.recipient);
  const amount = checkInteger(input.amount, 'Amount', 1);
  const fee = checkInteger(input.fee, 'Fee', 0);
  if (recipient) errors.recipient = recipient;
  if (amount) errors.amount = amount;
  if (fee) errors.fee = fee;
  if (recipient || amount || fee) return { ok: false, errors };
  return {
    ok: true,
    errors,
    value: { to: input.recipient.trim().toLowerCase(), amount: Number(input.amount.trim()), fee: Number(input.fee.trim()) },
  };
}
