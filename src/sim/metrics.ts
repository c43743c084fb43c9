/** Small statistics for simulation reports. Pure functions over plain arrays. */

/** Nearest-rank percentile (p in [0, 100]) of `values`; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const count = values.length;
  const sum = values.reduce((total, value) => total + value, 0);
  return {
    count,
    min: count ? values.reduce((m, v) => Math.min(m, v), Infinity) : Number.NaN,
    mean: count ? sum / count : Number.NaN,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: count ? values.reduce((m, v) => Math.max(m, v), -Infinity) : Number.NaN,
  };
}

/**
 * Path lengths from a first-arrival tree: `parentOf(i)` is the node that
 * first delivered the item to node i, 'origin' for the node that created it,
 * or undefined if i never got it. Returns each node's hop count from the
 * origin (undefined where unreached or the chain is broken).
 */
export function hopCounts(nodeCount: number, parentOf: (index: number) => number | 'origin' | undefined): (number | undefined)[] {
  const hops: (number | undefined)[] = new Array(nodeCount).fill(undefined);
  const state = new Uint8Array(nodeCount); // 0 unvisited, 1 on the current path, 2 done
  for (let start = 0; start < nodeCount; start++) {
    const path: number[] = [];
    let node: number | undefined = start;
    let base: number | undefined;
    for (;;) {
      if (state[node]! === 2) { base = hops[node]; break; }
      if (state[node]! === 1) { base = undefined; break; } // a cycle cannot come from causal arrivals; treat as broken
      state[node] = 1;
      path.push(node);
      const parent = parentOf(node);
      if (parent === 'origin') { base = -1; break; }
      if (parent === undefined || parent < 0 || parent >= nodeCount) { base = undefined; break; }
      node = parent;
    }
    for (let k = path.length - 1; k >= 0; k--) {
      const at = path[k]!;
      base = base === undefined ? undefined : base + 1;
      hops[at] = base;
      state[at] = 2;
    }
  }
  return hops;
}
