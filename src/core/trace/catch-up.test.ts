import { describe, expect, it } from 'vitest';
import { withCatchUp } from './catch-up.ts';

const A = 'aa'.repeat(32);
const B = 'bb'.repeat(32);
const C = 'cc'.repeat(32);

describe('withCatchUp', () => {
  it('marks a sighting whose link to its source opened after the source had the transaction', () => {
    const reports = [
      { nonce: '00', reporter: A, firstSeenMs: 1_000, from: 'origin' as const },
      { nonce: '00', reporter: B, firstSeenMs: 1_020, from: A, fromLinkedAtMs: 500 }, // linked before: gossip
      { nonce: '00', reporter: C, firstSeenMs: 9_000, from: B, fromLinkedAtMs: 8_990 }, // linked after B had it: catch-up
    ];
    expect(withCatchUp(reports).map((report) => report.catchUp)).toEqual([false, false, true]);
  });

  it('compares with the earliest sighting when the source did not answer', () => {
    const reports = [
      { nonce: '00', reporter: A, firstSeenMs: 1_000, from: C, fromLinkedAtMs: 400 },
      { nonce: '00', reporter: B, firstSeenMs: 3_000, from: C, fromLinkedAtMs: 2_000 },
    ];
    expect(withCatchUp(reports).map((report) => report.catchUp)).toEqual([false, true]);
  });
});
