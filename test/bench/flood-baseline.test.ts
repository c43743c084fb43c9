import { describe, expect, it } from 'vitest';
import { measureFloodBaseline, type MeasuredTopology } from '../../bench/lib/flood-baseline.ts';
import { createPrng } from '../../src/sim/prng.ts';
import { randomConnectedGraph } from '../../src/sim/topology.ts';

/** A topology named by ids, as the browser bench reports one. */
function topologyOf(nodeCount: number, edges: readonly (readonly [number, number])[]): MeasuredTopology {
  const nodes = Array.from({ length: nodeCount }, (_, index) => `tab-${index}`);
  return { nodes, edges: edges.map(([a, b]) => [nodes[a]!, nodes[b]!] as const) };
}

describe('measured flooding baseline', () => {
  it('floods (2E − (N − 1)) / (N − 1) bodies per node per transaction where announce-fetch delivers one', async () => {
    const N = 10;
    const edges = randomConnectedGraph(N, 4, createPrng(7));
    const result = await measureFloodBaseline(topologyOf(N, edges), 12);
    const E = edges.length;
    expect(result.links).toBe(E);
    expect(result.flooding.allDelivered).toBe(true);
    expect(result.announceFetch.allDelivered).toBe(true);
    // Every node forwards each body once, to all neighbours but its source: exact on a lossless network.
    expect(result.flooding.bodiesPerNodePerTx).toBeCloseTo((2 * E - (N - 1)) / (N - 1), 2);
    expect(result.announceFetch.bodiesPerNodePerTx).toBeCloseTo(1, 2);
    // Flooding sends nothing but bodies; announce-fetch pays INV and GETDATA on top of one body.
    expect(Object.keys(result.flooding.byFrame)).toEqual(['tx']);
    expect(result.flooding.bytesPerNodePerTx).toBeCloseTo(result.flooding.bodiesPerNodePerTx * result.txFrameBytes, 0);
    expect(result.announceFetch.byFrame.inv).toBeGreaterThan(0);
    expect(result.announceFetch.bytesPerNodePerTx).toBeLessThan(result.flooding.bytesPerNodePerTx);
    console.log(`[flood baseline] N ${N}, E ${E}: ${JSON.stringify(result)}`);
  }, 60_000);

  it('reads the topology by id, ignores a repeated link, and refuses a link to an unknown node', async () => {
    const topology = topologyOf(3, [[0, 1], [1, 2], [2, 1]]);
    const result = await measureFloodBaseline(topology, 2);
    expect(result.links).toBe(2);
    // A path of three: the middle node forwards each body once, so flooding equals announce-fetch in bodies.
    expect(result.flooding.bodiesPerNodePerTx).toBeCloseTo(1, 3);
    await expect(measureFloodBaseline({ nodes: ['a', 'b'], edges: [['a', 'c']] }, 1)).rejects.toThrow(/not in topology.nodes/);
  }, 60_000);
});
