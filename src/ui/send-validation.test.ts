import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../core/address.ts';
import { feeOutlook, validateSend } from './send-validation.ts';

const id = 'ab'.repeat(32);

describe('validateSend', () => {
  it('accepts a hex id, a positive amount and the minimum fee, normalizing case and spaces', () => {
    expect(validateSend({ recipient: ` ${id.toUpperCase()} `, amount: '5', fee: '1' }, undefined, 1)).toEqual({ ok: true, errors: {}, value: { to: id, amount: 5, fee: 1 } });
  });

  it('accepts a tm1 address and sends to its hex id', () => {
    expect(validateSend({ recipient: encodeAddress(id), amount: '5', fee: '1' }, undefined, 1)).toMatchObject({ ok: true, value: { to: id } });
  });

  it('refuses an address with a typo, saying so', () => {
    const address = encodeAddress(id);
    const typo = `${address.slice(0, 30)}${address[30] === 'q' ? 'p' : 'q'}${address.slice(31)}`;
    expect(validateSend({ recipient: typo, amount: '5', fee: '1' }, undefined, 1)).toEqual({ ok: false, errors: { recipient: expect.stringMatching(/typo/) } });
    expect(validateSend({ recipient: address.slice(0, 40), amount: '5', fee: '1' }, undefined, 1).errors.recipient).toMatch(/has 61 characters; this has 40/);
  });

  it('refuses a fee below the ledger minimum, naming it', () => {
    expect(validateSend({ recipient: id, amount: '5', fee: '0' }, undefined, 1).errors).toEqual({ fee: 'Fee must be at least 1.' });
    expect(validateSend({ recipient: id, amount: '5', fee: '2' }, undefined, 3).errors.fee).toBe('Fee must be at least 3.');
  });

  it('names every bad field', () => {
    const result = validateSend({ recipient: 'xyz', amount: '0', fee: '-1' }, undefined, 1);
    expect(result.ok).toBe(false);
    expect(result.errors.recipient).toMatch(/starts with "tm1"/);
    expect(result.errors.amount).toMatch(/at least 1/);
    expect(result.errors.fee).toMatch(/whole number/);
  });

  it('reports a short id by its length, and empty and oversized numbers', () => {
    const result = validateSend({ recipient: 'abcd', amount: '', fee: '99999999999999999999' }, undefined, 1);
    expect(result.errors.recipient).toMatch(/this has 4/);
    expect(result.errors.amount).toBe('Enter an amount.');
    expect(result.errors.fee).toMatch(/too large/);
  });

  it('refuses decimals and exponents', () => {
    expect(validateSend({ recipient: id, amount: '1.5', fee: '1e3' }, undefined, 1).errors).toEqual({
      amount: expect.stringMatching(/whole number/),
      fee: expect.stringMatching(/whole number/),
    });
  });

  it('refuses amount plus fee beyond the spendable balance once it is known, on the amount field', () => {
    const input = { recipient: id, amount: '9', fee: '2' };
    expect(validateSend(input, undefined, 1).ok).toBe(true);
    expect(validateSend(input, 11, 1).ok).toBe(true);
    const over = validateSend(input, 10, 1);
    expect(over.ok).toBe(false);
    expect(over.errors).toEqual({ amount: 'Amount plus fee exceeds your balance of 10.' });
  });

  it('does not stack a balance error on an amount or fee that is already wrong', () => {
    expect(validateSend({ recipient: id, amount: 'x', fee: '2' }, 0, 1).errors.amount).toMatch(/whole number/);
    expect(validateSend({ recipient: id, amount: '5', fee: 'x' }, 0, 1).errors).toEqual({ fee: expect.stringMatching(/whole number/) });
  });
});

describe('feeOutlook', () => {
  const base = { minFee: 1, maxBlockTxs: 3, blocks: [] };

  it('says the minimum confirms when the next block has room for every pending transaction', () => {
    expect(feeOutlook({ ...base, pendingFees: [9, 8], pendingTotal: 2 })).toEqual({ minFee: 1, nextBlockFee: 1, estimate: 'exact' });
  });

  it('outbids the last transaction that fits a full block', () => {
    expect(feeOutlook({ ...base, pendingFees: [9, 8, 5, 2], pendingTotal: 4 })).toMatchObject({ nextBlockFee: 6, estimate: 'exact' });
  });

  it('gives an upper bound when the page sees less than a block of a full pool', () => {
    expect(feeOutlook({ ...base, pendingFees: [9, 7], pendingTotal: 10 })).toMatchObject({ nextBlockFee: 8, estimate: 'at-most' });
  });

  it('takes the median fee per transaction of recent blocks that carried any', () => {
    const blocks = [{ fees: 30, txCount: 10 }, { fees: 0, txCount: 0 }, { fees: 10, txCount: 10 }, { fees: 50, txCount: 5 }];
    expect(feeOutlook({ ...base, pendingFees: [], pendingTotal: 0, blocks }).recentFee).toBe(3);
    expect(feeOutlook({ ...base, pendingFees: [], pendingTotal: 0, blocks: blocks.slice(0, 3) }).recentFee).toBe(2);
  });
});
