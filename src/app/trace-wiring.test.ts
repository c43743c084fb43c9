import { describe, expect, it } from 'vitest';
import { traceLatency } from './trace-wiring.ts';

const report = (reporter: string, firstSeenMs: number, catchUp = false) => ({ nonce: '00', reporter, firstSeenMs, from: 'origin' as const, via: 'self' as const, catchUp });

describe('traceLatency', () => {
  it('measures the spread and the median after the first sighting, leaving out tabs that caught up on linking', () => {
    const reports = [report('c', 130), report('a', 100), report('b', 110), report('d', 190), report('late', 25_000, true)];
    expect(traceLatency(reports, 7)).toEqual({ spreadMs: 90, p50Ms: 10, reporters: 4, atMs: 7 });
  });

  it('needs two sightings by gossip', () => {
    expect(traceLatency([report('a', 1), report('late', 9, true)], 0)).toBeUndefined();
  });
});
