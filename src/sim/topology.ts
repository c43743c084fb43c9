/**
 * Random connected graphs of a target degree, for wiring a simulated mesh.
 *
 * 1. A random spanning tree: nodes in shuffled order each dial a random
 *    earlier node that still has room, so the graph is connected.
 * 2. Random fill: two random nodes below the degree are linked until (almost)
 *    every node has `degree` links. The result is near-regular, like a
 *    bounded mesh whose peers pick random neighbours (issue 4, item 1),
 *    and it contains no self-links or duplicate links.
 */
import { InvalidArgumentError } from '../core/result.ts';
import type { Prng } from './prng.ts';

/** [dialer, listener]: the first node opened the link (its end is 'out'). */
export type Edge = readonly [number, number];

/** Consecutive failed picks before the fill gives up on the last few open slots. */
const MAX_FILL_MISSES = 200;

export function randomConnectedGraph(nodeCount: number, degree: number, prng: Prng): Edge[] {
  if (!Number.isSafeInteger(nodeCount) || nodeCount < 1) throw new InvalidArgumentError(`nodes must be a positive integer, got ${nodeCount}`);
  if (!Number.isSafeInteger(degree) || degree < 1) throw new InvalidArgumentError(`degree must be a positive integer, got ${degree}`);
  const edges: Edge[] = [];
  const degrees = new Uint32Array(nodeCount);
  const linked = new Set<number>();
  const keyOf = (x: number, y: number) => (x < y ? x * nodeCount + y : y * nodeCount + x);
  const add = (x: number, y: number) => {
    edges.push([x, y]);
    linked.add(keyOf(x, y));
    degrees[x]!++;
    degrees[y]!++;
  };

  const order = prng.shuffle(Array.from({ length: nodeCount }, (_, i) => i));
  for (let k = 1; k < nodeCount; k++) {
    let target = order[prng.int(k)]!;
    for (let tries = 0; tries < 8 && degrees[target]! >= degree; tries++) target = order[prng.int(k)]!;
    add(order[k]!, target);
  }

  const open = order.filter((node) => degrees[node]! < degree);
  const close = (position: number) => {
    open[position] = open[open.length - 1]!;
    open.pop();
  };
  for (let misses = 0; open.length > 1 && misses < MAX_FILL_MISSES;) {
    const i = prng.int(open.length);
    const j = prng.int(open.length);
    const x = open[i]!;
    const y = open[j]!;
    if (i === j || linked.has(keyOf(x, y))) {
      misses++;
      continue;
    }
    misses = 0;
    add(x, y);
    // Close the higher position first so the lower one still names the right node.
    for (const position of i > j ? [i, j] : [j, i]) if (degrees[open[position]!]! >= degree) close(position);
  }
  return edges;
}

/** Whether every node can reach every other over `edges` (for tests and assertions). */
export function isConnected(nodeCount: number, edges: readonly Edge[]): boolean {
  const adjacency = Array.from({ length: nodeCount }, () => [] as number[]);
  for (const [x, y] of edges) {
    adjacency[x]!.push(y);
    adjacency[y]!.push(x);
  }
  const seen = new Uint8Array(nodeCount);
  const stack = [0];
  seen[0] = 1;
  let reached = 1;
  while (stack.length > 0) {
    for (const next of adjacency[stack.pop()!]!) {
      if (seen[next]) continue;
      seen[next] = 1;
      reached++;
      stack.push(next);
    }
  }
  return reached === nodeCount;
}
