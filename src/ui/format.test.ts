import { describe, expect, it } from 'vitest';
import { formatAge, formatHashRate, shortHash } from './format.ts';

describe('formatAge', () => {
  const now = 1_700_000_000_000;
  it('reads seconds, minutes, hours and days', () => {
    expect(formatAge(now - 12_400, now)).toBe('12 s ago');
    expect(formatAge(now - 59_999, now)).toBe('59 s ago');
    expect(formatAge(now - 60_000, now)).toBe('1 min ago');
    expect(formatAge(now - 3 * 3_600_000 - 5, now)).toBe('3 h ago');
    expect(formatAge(now - 50 * 3_600_000, now)).toBe('2 d ago');
  });

  it('says "just now" for under a second and for a miner clock ahead of ours', () => {
    expect(formatAge(now - 999, now)).toBe('just now');
    expect(formatAge(now + 90_000, now)).toBe('just now');
  });
});

describe('formatHashRate', () => {
  it('picks a unit and three significant figures', () => {
    expect(formatHashRate(0)).toBe('0 H/s');
    expect(formatHashRate(950.4)).toBe('950 H/s');
    expect(formatHashRate(999.6)).toBe('1.00 kH/s');
    expect(formatHashRate(12_345)).toBe('12.3 kH/s');
    expect(formatHashRate(123_456)).toBe('123 kH/s');
    expect(formatHashRate(1_254_000)).toBe('1.25 MH/s');
    expect(formatHashRate(3.2e9)).toBe('3.20 GH/s');
  });

  it('shows nonsense as zero rather than NaN', () => {
    expect(formatHashRate(Number.NaN)).toBe('0 H/s');
    expect(formatHashRate(-5)).toBe('0 H/s');
  });
});

describe('shortHash', () => {
  it('keeps a hint of the zero head and the distinctive tail', () => {
    expect(shortHash(`00000${'a'.repeat(53)}3fa91c`)).toBe('0000…3fa91c');
    expect(shortHash('abc')).toBe('abc');
  });
});
