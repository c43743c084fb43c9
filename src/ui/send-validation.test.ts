import { describe, expect, it } from 'vitest';
import { validateSend } from './send-validation.ts';

const id = 'ab'.repeat(32);

describe('validateSend', () => {
  it('accepts a peer id, a positive amount and a zero fee, normalizing case and spaces', () => {
    expect(validateSend({ recipient: ` ${id.toUpperCase()} `, amount: '5', fee: '0' })).toEqual({ ok: true, errors: {}, value: { to: id, amount: 5, fee: 0 } });
  });

  it('names every bad field', () => {
    const result = validateSend({ recipient: 'xyz', amount: '0', fee: '-1' });
    expect(result.ok).toBe(false);
    expect(result.errors.recipient).toMatch(/hex digits/);
    expect(result.errors.amount).toMatch(/at least 1/);
    expect(result.errors.fee).toMatch(/whole number/);
  });

  it('reports a short id by its length, and empty and oversized numbers', () => {
    const result = validateSend({ recipient: 'abcd', amount: '', fee: '99999999999999999999' });
    expect(result.errors.recipient).toMatch(/this has 4/);
    expect(result.errors.amount).toBe('Enter an amount.');
    expect(result.errors.fee).toMatch(/too large/);
  });

  it('refuses decimals and exponents', () => {
    expect(validateSend({ recipient: id, amount: '1.5', fee: '1e3' }).errors).toEqual({
      amount: expect.stringMatching(/whole number/),
      fee: expect.stringMatching(/whole number/),
    });
  });

  it('refuses amount plus fee beyond the spendable balance once it is known, on the amount field', () => {
    const input = { recipient: id, amount: '9', fee: '2' };
    expect(validateSend(input).ok).toBe(true);
    expect(validateSend(input, 11).ok).toBe(true);
    const over = validateSend(input, 10);
    expect(over.ok).toBe(false);
    expect(over.errors).toEqual({ amount: 'Amount plus fee exceeds your balance of 10.' });
  });

  it('does not stack a balance error on an amount or fee that is already wrong', () => {
    expect(validateSend({ recipient: id, amount: 'x', fee: '2' }, 0).errors.amount).toMatch(/whole number/);
    expect(validateSend({ recipient: id, amount: '5', fee: 'x' }, 0).errors).toEqual({ fee: expect.stringMatching(/whole number/) });
  });
});
