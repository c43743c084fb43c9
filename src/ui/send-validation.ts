/**
 * Checks the Send form's fields before anything is signed. These are input
 * checks only; the ledger's rules (balance, nonce, signature) belong to core,
 * which decides. Comparing with the balance the page shows just saves the user
 * a round trip to a rejection.
 */
import { parseAccount } from '../core/address.ts';

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

/** The recipient's hex id, or a sentence saying what is wrong (core/address.ts names it: case, prefix, character, length, checksum). */
function checkRecipient(raw: string): { to: string } | { error: string } {
  const parsed = parseAccount(raw);
  if (parsed.ok) return { to: parsed.value };
  if (parsed.reason === 'empty') return { error: 'Enter the recipient’s address.' };
  const detail = parsed.detail.charAt(0).toUpperCase() + parsed.detail.slice(1);
  return { error: parsed.reason === 'bad-checksum' ? 'This address has a typo: its checksum does not match. Check each character.' : `${detail}.` };
}

function checkInteger(raw: string, name: 'Amount' | 'Fee', min: number): string | undefined {
  const value = raw.trim();
  if (value === '') return name === 'Amount' ? 'Enter an amount.' : `Enter a fee (${min} or more).`;
  if (!DIGITS.test(value)) return `${name} must be a whole number of at least ${min}.`;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) return `${name} is too large (at most ${Number.MAX_SAFE_INTEGER}).`;
  if (n < min) return `${name} must be at least ${min}.`;
  return undefined;
}

/**
 * Validates every field; `ok` carries the normalized request (the recipient
 * as its 64-hex id, from a `tm1…` address or hex). `spendable`, when known,
 * is the balance left after pending sends: amount plus fee must fit in it.
 * `minFee` is the ledger's (params.minFee): a lower fee would only be refused.
 */
export function validateSend(input: SendInput, spendable: number | undefined, minFee: number): SendValidation {
  const errors: Partial<Record<SendField, string>> = {};
  const recipient = checkRecipient(input.recipient);
  const amount = checkInteger(input.amount, 'Amount', 1);
  const fee = checkInteger(input.fee, 'Fee', minFee);
  if ('error' in recipient) errors.recipient = recipient.error;
  if (amount) errors.amount = amount;
  if (fee) errors.fee = fee;
  const value = { to: 'to' in recipient ? recipient.to : '', amount: Number(input.amount.trim()), fee: Number(input.fee.trim()) };
  if (!amount && !fee && spendable !== undefined && value.amount + value.fee > spendable) {
    errors.amount = `Amount plus fee exceeds your balance of ${Math.max(0, spendable)}.`;
  }
  if (errors.recipient || errors.amount || fee) return { ok: false, errors };
  return { ok: true, errors, value };
}

/** A recent block as the fee outlook reads it. */
export interface BlockFees {
  fees: number;
  txCount: number;
}

/** The fee a transfer needs to be confirmed now, as the Send form shows it. */
export interface FeeOutlook {
  /** The ledger's minimum (params.minFee). */
  minFee: number;
  /**
   * The lowest fee that would be in the next block if it were built from this
   * tab's mempool now (mempool.selectForBlock takes the best fee rates first,
   * and every transaction has one size, so rate and fee rank alike).
   */
  nextBlockFee: number;
  /** 'at-most' when the pool holds more than a block but the page sees only its best entries: the true floor is no higher. */
  estimate: 'exact' | 'at-most';
  /** Median, over the last RECENT_FEE_BLOCKS blocks that carried transactions, of each block's fee per transaction. */
  recentFee?: number;
}

/** Ten blocks: about 100 s on the main network, recent enough to follow a burst and long enough to smooth one block's luck. */
export const RECENT_FEE_BLOCKS = 10;

/**
 * The Send form's fee hint. The next-block floor is what confirms a
 * transfer now; recent blocks say what others paid. `pendingFees` is the
 * mempool's best entries (fee-rate order, perhaps cut short), `pendingTotal`
 * its size, `blocks` newest first.
 */
export function feeOutlook(init: { minFee: number; maxBlockTxs: number; pendingFees: readonly number[]; pendingTotal: number; blocks: readonly BlockFees[] }): FeeOutlook {
  const { minFee, maxBlockTxs, pendingFees, pendingTotal } = init;
  let nextBlockFee = minFee;
  let estimate: FeeOutlook['estimate'] = 'exact';
  if (pendingTotal >= maxBlockTxs) {
    // A full block: a new transfer must outbid the last one that would still fit.
    const known = pendingFees.length >= maxBlockTxs;
    const last = known ? pendingFees[maxBlockTxs - 1] : pendingFees.at(-1);
    if (last !== undefined) nextBlockFee = Math.max(minFee, last + 1);
    if (!known) estimate = 'at-most';
  }
  const perTx = init.blocks
    .filter((block) => block.txCount > 0)
    .slice(0, RECENT_FEE_BLOCKS)
    .map((block) => block.fees / block.txCount)
    .sort((a, b) => a - b);
  if (perTx.length === 0) return { minFee, nextBlockFee, estimate };
  const middle = perTx.length / 2;
  const median = perTx.length % 2 === 1 ? perTx[Math.floor(middle)]! : (perTx[middle - 1]! + perTx[middle]!) / 2;
  return { minFee, nextBlockFee, estimate, recentFee: Math.round(median) };
}
