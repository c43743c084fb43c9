/**
 * Checks the Send form's fields before anything is signed. These are input
 * checks only; the ledger's rules (balance, nonce, signature) belong to core,
 * which decides. Comparing with the balance the page shows just saves the user
 * a round trip to a rejection.
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

/**
 * Validates every field; `ok` carries the normalized request. `spendable`, when
 * known, is the balance left after pending sends: amount plus fee must fit in it.
 */
export function validateSend(input: SendInput, spendable?: number): SendValidation {
  const errors: Partial<Record<SendField, string>> = {};
  const recipient = checkRecipient(input.recipient);
  const amount = checkInteger(input.amount, 'Amount', 1);
  const fee = checkInteger(input.fee, 'Fee', 0);
  if (recipient) errors.recipient = recipient;
  if (amount) errors.amount = amount;
  if (fee) errors.fee = fee;
  const value = { to: input.recipient.trim().toLowerCase(), amount: Number(input.amount.trim()), fee: Number(input.fee.trim()) };
  if (!amount && !fee && spendable !== undefined && value.amount + value.fee > spendable) {
    errors.amount = `Amount plus fee exceeds your balance of ${Math.max(0, spendable)}.`;
  }
  if (recipient || errors.amount || fee) return { ok: false, errors };
  return { ok: true, errors, value };
}
