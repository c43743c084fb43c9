import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hopCounts, percentile, summarize } from './metrics.ts';
import { createPrng } from './prng.ts';
import { isConnected, randomConnectedGraph } from './topology.ts';

describe('random mesh topology', () => {
  it('is connected, has no self or duplicate links, and is near-regular at the target degree', () => {
    const nodes = 1_000;
    const degree = 8;
    const edges = randomConnectedGraph(nodes, degree, createPrng(4));
    expect(isConnected(nodes, edges)).toBe(true);
    const keys = new Set(edges.map(([a, b]) => (a < b ? `${a}-${b}` : `${b}-${a}`)));
    expect(keys.size).toBe(edges.length);
    expect(edges.every(([a, b]) => a !== b)).toBe(true);
    const degrees = new Array(nodes).fill(0);
    for (const [a, b] of edges) { degrees[a]++; degrees[b]++; }
    expect(summarize(degrees).mean).toBeGreaterThan(degree - 0.1);
    expect(percentile(degrees, 1)).toBeGreaterThanOrEqual(degree - 1);
    expect(Math.max(...degrees)).toBeLessThanOrEqual(degree + 3); // tree attachments may overshoot a little
  });

  it('is connected for any size, degree and seed', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (nodes, degree, seed) => {
      const edges = randomConnectedGraph(nodes, degree, createPrng(seed));
      return isConnected(nodes, edges) && edges.length >= nodes - 1;
    }), { numRuns: 200 });
  });

  it('is the same graph for the same seed', () => {
    expect(randomConnectedGraph(200, 6, createPrng(9))).toEqual(randomConnectedGraph(200, 6, createPrng(9)));
    expect(randomConnectedGraph(200, 6, createPrng(9))).not.toEqual(randomConnectedGraph(200, 6, createPrng(10)));
  });
});

describe('hop counts from first arrivals', () => {
  it('follows parents back to the origin, and leaves unreached nodes and broken chains undefined', () => {
    // 0 is the origin; 1 <- 0; 2 <- 1; 3 <- 2; 4 never got it; 5 <- 4 (impossible in a real run: broken chain)
    const parents: (number | 'origin' | undefined)[] = ['origin', 0, 1, 2, undefined, 4];
    expect(hopCounts(6, (i) => parents[i])).toEqual([0, 1, 2, 3, undefined, undefined]);
  });

  it('computes percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 50), percentile(values, 99), percentile(values, 100), percentile(values, 0)]).toEqual([50, 99, 100, 1]);
    expect(percentile([], 50)).toBeNaN();
  });
});
