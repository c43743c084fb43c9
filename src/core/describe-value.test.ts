import { describe, expect, it } from 'vitest';
import { describeValue } from './describe-value.ts';

describe('describeValue', () => {
  it('names each kind of value without recursing', () => {
    let nested: unknown = [];
    for (let i = 0; i < 100_000; i++) nested = [nested];
    expect(describeValue(nested)).toBe('an array of 1');
    expect(describeValue({ a: 1 })).toBe('an object');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(12n)).toBe('12');
    expect(describeValue(Symbol('s'))).toBe('a symbol');
    expect(describeValue('ab"c')).toBe('"ab\\"c"');
  });

  it('quotes at most maxChars of a string', () => {
    expect(describeValue('x'.repeat(1000), 5)).toBe('"xxxxx…"');
  });
});
