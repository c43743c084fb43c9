/**
 * The flooding baseline for the bandwidth figure (issue 5: "a flooding
 * baseline measured in the same run"). Given the topology the browser bench
 * measured, it runs the deterministic simulator twice over exactly that
 * graph and the same transactions:
 *
 * - announce-fetch: the real core node (INV → GETDATA → TX, src/core);
 * - flooding: src/sim/flood-node.ts, where every node pushes every new body
 *   to every neighbour but the one it came from.
 *
 * Both are normalised as the browser figure is: totals over all nodes divided
 * by (transactions × receivers), receivers = N − 1. Bytes are every frame
 * delivered during the transaction phase except keepalive (PING/PONG), which
 * costs the same per second whatever the gossip does. Links are lossless, so
 * bytes sent equal bytes delivered.
 */
import { encodeFrame } from '../../src/core/frames.ts';
import { DEFAULT_MAX_TXS_PER_SENDER } from '../../src/core/ledger/mempool.ts';
import { InvalidArgumentError } from '../../src/core/result.ts';
import type { Tx } from '../../src/core/tx.ts';
import { createEd25519Verifier, type Ed25519Verifier } from '../../src/crypto/ed25519.ts';
import { floodNodeFactory } from '../../src/sim/flood-node.ts';
import { fund } from '../../src/sim/sim-mining.ts';
import { createSimNetwork, type SimNetwork, type SimNetworkInit } from '../../src/sim/sim-network.ts';
import type { SimNodeLike } from '../../src/sim/sim-node.ts';
import type { SimStats } from '../../src/sim/sim-stats.ts';
import type { Edge } from '../../src/sim/topology.ts';

/** A mesh as the bench sees it: node ids (e.g. the tabs' peer ids) and undirected links between them. */
export interface MeasuredTopology {
  nodes: readonly string[];
  /** Each link once; a repeat (in either direction) is ignored. */
  edges: readonly (readonly [string, string])[];
}

export interface GossipCost {
  /** TX bodies received per receiving node per transaction. */
  bodiesPerNodePerTx: number;
  /** Bytes received per receiving node per transaction, all frames but keepalive. */
  bytesPerNodePerTx: number;
  /** bytesPerNodePerTx over the TX frame's size. */
  overTxFrame: number;
  /** Bytes per receiving node per transaction, by frame type. */
  byFrame: Record<string, number>;
  /** Whether every transaction reached every node. */
  allDelivered: boolean;
}

export interface FloodBaseline {
  nodes: number;
  links: number;
  txs: number;
  txFrameBytes: number;
  announceFetch: GossipCost;
  flooding: GossipCost;
}

export interface FloodBaselineOptions {
  /** Simulator seed (identities, tick phases); default 1. */
  seed?: number;
  /** One-way link latency, ms; default 20. */
  latencyMs?: number;
  /** Virtual time between transactions, ms; default 10 (the browser bench's 100 tx/s). */
  gapMs?: number;
  /** Share a verifier between calls (skips the WebCrypto probe). */
  verifierBackend?: Ed25519Verifier;
}

/** The run sends no block meanwhile, so each sender is held to the mempool's per-sender limit. */
const MAX_TXS_PER_SENDER = DEFAULT_MAX_TXS_PER_SENDER;
const KEEPALIVE = new Set(['ping', 'pong']);

/** Runs announce-fetch and flooding over `topology` with `txCount` transactions each; see the file comment. */
export async function measureFloodBaseline(topology: MeasuredTopology, txCount: number, options: FloodBaselineOptions = {}): Promise<FloodBaseline> {
  const nodeCount = topology.nodes.length;
  const edges = toIndexEdges(topology);
  if (nodeCount < 2) throw new InvalidArgumentError(`topology needs at least 2 nodes, got ${nodeCount}`);
  if (!Number.isSafeInteger(txCount) || txCount < 1 || txCount > nodeCount * MAX_TXS_PER_SENDER) {
    throw new InvalidArgumentError(`txCount must be 1..${nodeCount * MAX_TXS_PER_SENDER} for ${nodeCount} nodes, got ${txCount}`);
  }
  const init = {
    seed: options.seed ?? 1,
    nodes: nodeCount,
    edges,
    latencyMs: options.latencyMs ?? 20,
    verifierBackend: options.verifierBackend ?? (await createEd25519Verifier()),
  } satisfies SimNetworkInit<SimNodeLike>;
  const senders = Array.from({ length: Math.min(nodeCount, txCount) }, (_, index) => index);
  const gapMs = options.gapMs ?? 10;

  const core = await createSimNetwork(init);
  await core.runUntilIdle();
  await fund(core, senders);
  const announceFetch = await gossip(core, senders, txCount, gapMs);

  const flood = await createSimNetwork({ ...init, nodeFactory: floodNodeFactory });
  await flood.runUntilIdle();
  const flooding = await gossip(flood, senders, txCount, gapMs);

  return { nodes: nodeCount, links: edges.length, txs: txCount, txFrameBytes: announceFetch.txFrameBytes, announceFetch: announceFetch.cost, flooding: flooding.cost };
}

/** Offers `txCount` transactions round-robin over `senders`, runs until quiet, and measures the traffic in between. */
async function gossip<N extends SimNodeLike>(net: SimNetwork<N>, senders: number[], txCount: number, gapMs: number): Promise<{ cost: GossipCost; txFrameBytes: number }> {
  const receivers = net.nodes.length - 1;
  const before = net.stats();
  const ids: string[] = [];
  let txFrameBytes = 0;
  for (let k = 0; k < txCount; k++) {
    const sender = senders[k % senders.length]!;
    const tx: Tx = await net.transfer(sender, (sender + 1) % net.nodes.length);
    txFrameBytes = encodeFrame({ type: 'tx', tx }).length;
    ids.push(net.submit(sender, tx));
    await net.runFor(gapMs);
  }
  await net.runUntilIdle();
  const after = net.stats();
  net.close();
  const perNodePerTx = (value: number) => round(value / (txCount * receivers), 3);
  const byFrame: Record<string, number> = {};
  let bytes = 0;
  for (const kind of Object.keys(after.byKind)) {
    if (KEEPALIVE.has(kind)) continue;
    const grown = bytesOf(after, kind) - bytesOf(before, kind);
    if (grown === 0) continue;
    byFrame[kind] = perNodePerTx(grown);
    bytes += grown;
  }
  const bodies = (after.nodeTotals.txBodiesReceived ?? 0) - (before.nodeTotals.txBodiesReceived ?? 0);
  const bytesPerNodePerTx = perNodePerTx(bytes);
  return {
    txFrameBytes,
    cost: {
      bodiesPerNodePerTx: perNodePerTx(bodies),
      bytesPerNodePerTx,
      overTxFrame: round(bytesPerNodePerTx / txFrameBytes, 3),
      byFrame,
      allDelivered: ids.every((id) => net.allReached(id)),
    },
  };
}

const bytesOf = (stats: SimStats, kind: string) => stats.byKind[kind]?.bytesSent ?? 0;
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function toIndexEdges(topology: MeasuredTopology): Edge[] {
  const indexOf = new Map(topology.nodes.map((id, index) => [id, index]));
  if (indexOf.size !== topology.nodes.length) throw new InvalidArgumentError('topology.nodes has a repeated id');
  const seen = new Set<string>();
  const edges: Edge[] = [];
  for (const [x, y] of topology.edges) {
    const a = indexOf.get(x);
    const b = indexOf.get(y);
    if (a === undefined || b === undefined) throw new InvalidArgumentError(`edge ${x.slice(0, 8)}–${y.slice(0, 8)} names a node not in topology.nodes`);
    if (a === b) throw new InvalidArgumentError(`edge ${x.slice(0, 8)} links a node to itself`);
    const key = a < b ? `${a}:${b}` : `${b}:${a}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push([a, b]);
  }
  return edges;
}
