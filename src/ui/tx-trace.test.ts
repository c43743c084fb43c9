import { describe, expect, it } from 'vitest';
import { formatOffset, traceSummary } from './tx-trace.tsx';

const hop = (peer: string, firstSeenMs: number, catchUp = false) => ({ peer, firstSeenMs, from: 'x', catchUp });

describe('trace view text', () => {
  it('summarises the gossip spread and counts tabs that caught up on linking apart', () => {
    const trace = { txId: 't', requestedAtMs: 0, done: true, hops: [hop('a', 100), hop('b', 137), hop('c', 21_000, true)] };
    expect(traceSummary(trace)).toBe('2 tabs had it within 37 ms of the first sighting; 1 more got it later, when it linked.');
    expect(traceSummary({ ...trace, done: false, hops: [hop('a', 5)] })).toBe('So far: 1 tab had it within 0 ms of the first sighting.');
    expect(traceSummary({ ...trace, hops: [] })).toMatch(/^No tab answered/);
  });

  it('writes offsets past a second in seconds, so the column stays narrow', () => {
    expect([formatOffset(0), formatOffset(999.6), formatOffset(1_234), formatOffset(21_527)]).toEqual(['+0 ms', '+1000 ms', '+1.23 s', '+21.5 s']);
  });
});
