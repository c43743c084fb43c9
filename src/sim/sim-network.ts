/**
 * createSimNetwork: N real core nodes (the same createNode a tab runs) over
 * simulated links, driven by a seeded PRNG and a virtual clock
 * (GUIDE, "Tests, in tiers", 3; issue 3, "The simulator").
 *
 * Every random choice (identities, graph, per-link loss and jitter, tick
 * phases) comes from forks of one seed, events run in (time, seq) order, and
 * async work settles before the clock moves (scheduler.ts, sim-verifier.ts),
 * so one seed always gives the same run: stats() twice is byte-identical.
 * Errors thrown out of a run carry the seed (seed.ts).
 */
import type { Scheduler as CoreScheduler } from '../core/scheduler.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { ChainParams } from '../core/ledger/params.ts';
import { signTx, txId, type Tx, type UnsignedTx } from '../core/tx.ts';
import type { PeerId, TxId } from '../core/types.ts';
import type { Ed25519Verifier } from '../crypto/ed25519.ts';
import { isKeepalive } from './frame-kind.ts';
import { hopCounts } from './metrics.ts';
import { createPartitions, type PartitionMode } from './partitions.ts';
import { createPrng, type Prng } from './prng.ts';
import { createScheduler, type EventHandle, type RunOptions, type RunResult, type Scheduler } from './scheduler.ts';
import { nextSimSigner } from './sim-identity.ts';
import { createSimLinkPair, type LinkConditions, type SimLinkEndpoint, type SimLinkPair } from './sim-link.ts';
import { createSimLogger, defaultNodeFactory, type LedgerSimNode, type SimLogLevel, type SimNode, type SimNodeFactory, type SimNodeLike } from './sim-node.ts';
import { createSimStatsCollector, type SimStats } from './sim-stats.ts';
import { createSimVerifier, type SimVerifier } from './sim-verifier.ts';
import { randomConnectedGraph, type Edge } from './topology.ts';
import { createVirtualClock, DEFAULT_EPOCH_MS } from './virtual-clock.ts';
import { withSeed } from './seed.ts';

export interface SimNetworkInit<N extends SimNodeLike> extends Partial<LinkConditions> {
  seed: number;
  /** Nodes created at the start. */
  nodes: number;
  /** Target links per node for the initial graph and for join(). Default 8 (gossipsub's D is 6; issue 4 tunes it). */
  degree?: number;
  /** The initial links, by node index, instead of a random graph of `degree` (e.g. a topology measured in browsers). */
  edges?: readonly Edge[];
  /** Network name nodes are configured with. Default 'test-sim' (a test network: easy proof-of-work). */
  network?: string;
  /** Virtual interval between each node's tick() calls; phases are staggered. Default 1000. */
  tickIntervalMs?: number;
  /** Wall-clock time that virtual time 0 stands for. Default 2025-01-01. */
  epochMs?: number;
  /**
   * Each node's network group as links report it (PeerLink.remoteGroup): a few attacker hosts holding many
   * identities share one. Default: none (links say nothing, as on loopback).
   */
  networkGroupOf?: (index: number) => string | undefined;
  /** What partition() does to links across groups. Default 'drop'. */
  partitionMode?: PartitionMode;
  /** Builds each node; default: the core node with a ledger and mempool over an in-memory store. */
  nodeFactory?: SimNodeFactory<N>;
  /** Ledger parameter overrides shared by every node (passed to the factory). */
  chainParams?: Partial<ChainParams>;
  /** Share one real verifier between networks (skips the WebCrypto probe). */
  verifierBackend?: Ed25519Verifier;
  /** Node logs printed to the console; warnings are recorded in nodes[i].log regardless. Default 'silent'. */
  logLevel?: SimLogLevel;
}

export interface JoinOptions {
  /** Nodes to link to; default `degree` random live nodes. */
  peers?: number[];
  /** Partition group, while partitioned. Default: the unlisted group. */
  group?: number;
}

export interface SimNetwork<N extends SimNodeLike> {
  readonly seed: number;
  readonly network: string;
  readonly degree: number;
  /** Every node ever created, by index; left nodes stay with alive = false. */
  readonly nodes: SimNode<N>[];
  readonly scheduler: Scheduler;
  readonly verifier: SimVerifier;
  /** Default conditions for new links. */
  readonly conditions: LinkConditions;
  /** The root stream; fork it for test-level choices so they replay too. */
  readonly prng: Prng;
  nowMs(): number;
  live(): SimNode<N>[];
  indexOf(peerId: PeerId): number | undefined;
  /** Opens a link from a to b (a dials). Returns the open link if there is one already; undefined if a partition forbids it. */
  link(a: number, b: number, conditions?: Partial<LinkConditions>): SimLinkPair | undefined;
  linkBetween(a: number, b: number): SimLinkPair | undefined;
  /** Open links. */
  links(): SimLinkPair[];
  join(options?: JoinOptions): Promise<SimNode<N>>;
  leave(index: number, reason?: string): void;
  /** Same identity, fresh node object (a tab reload); relinks to its former live neighbours. */
  rejoin(index: number, options?: JoinOptions): Promise<SimNode<N>>;
  /** Splits the nodes; unlisted nodes form one more group together. */
  partition(groups: number[][], mode?: PartitionMode): void;
  /**
   * Ends the partition: the transport carries frames, signals and new links
   * across again. Nothing is reopened: nodes with a mesh maintainer
   * (mesh-sim.ts) relink themselves, as tabs do (issue 20, "Healing").
   */
  heal(): void;
  /**
   * Reopens every topology link between live nodes that is down: a stand-in
   * dialer for nodes that have none (the default factory's bare core node).
   * Tests of healing use mesh-sim nodes and never call it.
   */
  reconnect(): void;
  /** Whether the transport carries messages from a to b now (no partition between them). */
  connected(a: number, b: number): boolean;
  /** A transaction from node `from` to node `to`, signed by `from`; nonces count up per sender unless given. */
  transfer(from: number, to: number, fields?: Partial<Pick<UnsignedTx, 'amount' | 'fee' | 'nonce'>>): Promise<Tx>;
  /** Hands `tx` to node `index` as a locally created transaction; returns its id. Throws SimRejectedError if the node refuses it. */
  submit(index: number, tx: Tx): TxId;
  /** Live nodes that have seen `id`. */
  reached(id: TxId): number;
  allReached(id: TxId): boolean;
  /** Hops from the origin per node index, from the 'tx' events' sources; undefined where unreached. */
  hops(id: TxId): (number | undefined)[];
  runUntil(timeMs: number): Promise<RunResult>;
  runUntil(predicate: () => boolean, options?: RunOptions): Promise<RunResult>;
  runFor(durationMs: number): Promise<RunResult>;
  runUntilIdle(maxTimeMs?: number): Promise<RunResult>;
  stats(): SimStats;
  /**
   * Awaits `promise` from outside a run, settling microtasks and the
   * verifier meanwhile (a pending verification resolves only when the
   * scheduler settles). Throws if it still waits after that: it needs
   * virtual time to pass, so run the network instead.
   */
  drive<T>(promise: Promise<T>): Promise<T>;
  /** Stops every node and tick. */
  close(): void;
}

/** A node refused something the simulation handed it (a transaction without funds, say). */
export class SimRejectedError extends Error {
  override readonly name = 'SimRejectedError';
}

/** A `{ok: false, reason}` result, as the ledger returns. */
export function isRejection(value: unknown): value is { ok: false; reason: string; detail?: string } {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false && typeof (value as { reason?: unknown }).reason === 'string';
}

const DEFAULTS = { degree: 8, network: 'test-sim', tickIntervalMs: 1_000, latencyMs: 50, jitterMs: 0, lossRate: 0, duplicateRate: 0, ordered: false } as const;

export function createSimNetwork(init: SimNetworkInit<LedgerSimNode> & { nodeFactory?: undefined }): Promise<SimNetwork<LedgerSimNode>>;
export function createSimNetwork<N extends SimNodeLike>(init: SimNetworkInit<N> & { nodeFactory: SimNodeFactory<N> }): Promise<SimNetwork<N>>;
export async function createSimNetwork<N extends SimNodeLike>(init: SimNetworkInit<N>): Promise<SimNetwork<N>> {
  const seed = init.seed;
  const root = createPrng(seed);
  const degree = init.degree ?? DEFAULTS.degree;
  const networkName = init.network ?? DEFAULTS.network;
  const tickIntervalMs = init.tickIntervalMs ?? DEFAULTS.tickIntervalMs;
  const logLevel = init.logLevel ?? 'silent';
  const factory = (init.nodeFactory ?? defaultNodeFactory) as SimNodeFactory<N>;
  if (!Number.isSafeInteger(init.nodes) || init.nodes < 1) throw new InvalidArgumentError(`nodes must be a positive integer, got ${init.nodes}`);
  const conditions: LinkConditions = {
    latencyMs: init.latencyMs ?? DEFAULTS.latencyMs,
    jitterMs: init.jitterMs ?? DEFAULTS.jitterMs,
    lossRate: init.lossRate ?? DEFAULTS.lossRate,
    duplicateRate: init.duplicateRate ?? DEFAULTS.duplicateRate,
    ordered: init.ordered ?? DEFAULTS.ordered,
    ...(init.faultsApplyTo ? { faultsApplyTo: init.faultsApplyTo } : {}),
  };

  const clock = createVirtualClock(init.epochMs ?? DEFAULT_EPOCH_MS);
  const scheduler = createScheduler(clock);
  const verifier = await createSimVerifier(init.verifierBackend);
  scheduler.addSettler(() => verifier.flush());

  const identities = root.fork('identities');
  const topologyPrng = root.fork('topology');
  const tickPrng = root.fork('ticks');
  const nodes: SimNode<N>[] = [];
  const peerIndex = new Map<PeerId, number>();
  const ticks = new Map<number, EventHandle>();
  const nonces = new Map<number, number>();
  /** The intended topology: every link opened and not removed by leave(). reconnect() restores these. */
  const topology = new Map<string, { a: number; b: number; pair: SimLinkPair | undefined }>();
  let nextLinkId = 0;
  const stats = createSimStatsCollector();
  const partitions = createPartitions(init.partitionMode ?? 'drop');

  const edgeKey = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);
  const endpoint = (index: number): SimLinkEndpoint => ({ index, peerId: nodes[index]!.peerId, group: init.networkGroupOf?.(index) });
  const assertIndex = (index: number, field = 'index') => {
    if (!Number.isSafeInteger(index) || index < 0 || index >= nodes.length) throw new InvalidArgumentError(`${field} must name a node (0..${nodes.length - 1}), got ${index}`);
  };
  const assertLive = (index: number, field = 'index') => {
    assertIndex(index, field);
    if (!nodes[index]!.alive) throw new InvalidArgumentError(`${field}: node ${index} has left the network`);
  };

  const linkHost = {
    scheduler,
    canDeliver: (from: number, to: number) => partitions.connected(from, to),
    isBackground: isKeepalive,
    onSend: stats.onSend,
    onDeliver: (from: number, to: number, bytes: Uint8Array, reordered: boolean) => stats.onDeliver(scheduler.nowMs(), from, to, bytes, reordered),
    onDrop: stats.onDrop,
    onDuplicate: stats.onDuplicate,
  };

  /** What a node's core times with (SimNodeComponents.scheduler). */
  const nodeScheduler: CoreScheduler = {
    defer: (task) => queueMicrotask(task),
    after: (delayMs, task) => void scheduler.after(Math.ceil(delayMs), task),
    busy: () => false,
    punctual: () => true,
  };

  async function createSimNode(index: number, record: SimNode<N> | undefined, options: JoinOptions): Promise<SimNode<N>> {
    const signer = record?.signer ?? nextSimSigner(identities);
    const incarnation = record ? record.incarnation + 1 : 0;
    const log: SimNode<N>['log'] = [];
    const node = await factory({
      index,
      network: networkName,
      signer,
      clock,
      verifier,
      log: createSimLogger(index, scheduler.nowMs, logLevel, log),
      prng: root.fork(`node/${index}/${incarnation}`),
      scheduler: nodeScheduler,
      ...(init.chainParams ? { chainParams: init.chainParams } : {}),
    });
    const sim: SimNode<N> = { index, peerId: signer.peerId, signer, node, alive: true, incarnation, joinedAtMs: scheduler.nowMs(), txs: new Map(), peerEvents: [], log };
    node.events.on('tx', (_tx, id, source) => {
      const seen = sim.txs.get(id);
      if (seen) seen.count++;
      else sim.txs.set(id, { atMs: scheduler.nowMs(), source, fromIndex: source === 'self' ? 'self' : peerIndex.get(source), count: 1 });
    });
    node.events.on('peer-open', (peer) => void sim.peerEvents.push({ atMs: scheduler.nowMs(), kind: 'open', peerId: peer.id }));
    node.events.on('peer-close', (peerId, reason) => void sim.peerEvents.push({ atMs: scheduler.nowMs(), kind: 'close', peerId, reason }));
    node.events.on('ban', (peerId, reason) => void sim.peerEvents.push({ atMs: scheduler.nowMs(), kind: 'ban', peerId, reason }));
    nodes[index] = sim;
    peerIndex.set(signer.peerId, index);
    partitions.place(index, options.group);
    ticks.set(index, scheduler.every(tickIntervalMs, () => node.tick(), { firstDelayMs: 1 + tickPrng.int(tickIntervalMs) }));
    return sim;
  }

  function link(a: number, b: number, overrides?: Partial<LinkConditions>): SimLinkPair | undefined {
    assertLive(a, 'a');
    assertLive(b, 'b');
    if (a === b) throw new InvalidArgumentError(`a node cannot link to itself (${a})`);
    const key = edgeKey(a, b);
    const edge = topology.get(key) ?? { a, b, pair: undefined };
    topology.set(key, edge);
    if (edge.pair?.isOpen()) return edge.pair;
    if (!partitions.mayLink(a, b)) return undefined;
    const id = nextLinkId++;
    const pair = createSimLinkPair(linkHost, root.fork(`link/${id}`), id, endpoint(a), endpoint(b), { ...conditions, ...overrides });
    edge.pair = pair;
    stats.onLinkOpened();
    nodes[a]!.node.addLink(pair.atA);
    nodes[b]!.node.addLink(pair.atB);
    return pair;
  }

  function pickPeers(self: number, count: number): number[] {
    const candidates = nodes.filter((node) => node.alive && node.index !== self).map((node) => node.index);
    return topologyPrng.shuffle(candidates).slice(0, count);
  }

  const guard = <T>(fn: () => Promise<T>): Promise<T> => withSeed(seed, fn);

  for (let index = 0; index < init.nodes; index++) await createSimNode(index, undefined, {});
  for (const [a, b] of init.edges ?? randomConnectedGraph(init.nodes, degree, topologyPrng)) link(a, b);

  const network: SimNetwork<N> = {
    seed,
    network: networkName,
    degree,
    nodes,
    scheduler,
    verifier,
    conditions,
    prng: root.fork('user'),
    nowMs: () => scheduler.nowMs(),
    live: () => nodes.filter((node) => node.alive),
    indexOf: (peerId) => peerIndex.get(peerId),
    link,
    linkBetween(a, b) {
      const pair = topology.get(edgeKey(a, b))?.pair;
      return pair?.isOpen() ? pair : undefined;
    },
    links: () => [...topology.values()].flatMap((edge) => (edge.pair?.isOpen() ? [edge.pair] : [])),
    async join(options = {}) {
      const index = nodes.length;
      const sim = await createSimNode(index, undefined, options);
      for (const peer of options.peers ?? pickPeers(index, degree)) link(index, peer);
      return sim;
    },
    leave(index, reason = 'left the network') {
      assertLive(index);
      const sim = nodes[index]!;
      ticks.get(index)?.cancel();
      sim.node.close();
      for (const [key, edge] of topology) {
        if (edge.a !== index && edge.b !== index) continue;
        edge.pair?.cut(reason);
        topology.delete(key);
      }
      sim.alive = false;
      sim.leftAtMs = scheduler.nowMs();
    },
    async rejoin(index, options = {}) {
      assertIndex(index);
      const previous = nodes[index]!;
      const neighbours = [...topology.values()].filter((edge) => edge.a === index || edge.b === index).map((edge) => (edge.a === index ? edge.b : edge.a));
      if (previous.alive) network.leave(index, 'reloading');
      const sim = await createSimNode(index, previous, options);
      const peers = options.peers ?? (neighbours.length > 0 ? neighbours : pickPeers(index, degree));
      for (const peer of peers) if (nodes[peer]?.alive) link(index, peer);
      return sim;
    },
    partition(groups, mode) {
      for (const group of groups) for (const index of group) assertIndex(index, 'partition member');
      partitions.split(groups, nodes.length, mode);
      if (partitions.mode() === 'disconnect') {
        for (const edge of topology.values()) if (edge.pair?.isOpen() && !partitions.connected(edge.a, edge.b)) edge.pair.cut('partitioned');
      }
    },
    heal() {
      partitions.heal();
    },
    connected: (a, b) => partitions.connected(a, b),
    reconnect() {
      for (const edge of [...topology.values()]) {
        if (!edge.pair?.isOpen() && nodes[edge.a]!.alive && nodes[edge.b]!.alive) link(edge.a, edge.b);
      }
    },
    async transfer(from, to, fields = {}) {
      assertIndex(from, 'from');
      assertIndex(to, 'to');
      const nonce = fields.nonce ?? nonces.get(from) ?? 0;
      nonces.set(from, nonce + 1);
      const sender = nodes[from]!;
      return signTx(networkName, { from: sender.peerId, to: nodes[to]!.peerId, amount: fields.amount ?? 1, fee: fields.fee ?? 1, nonce }, sender.signer);
    },
    submit(index, tx) {
      assertLive(index);
      const result = nodes[index]!.node.submitLocalTx(tx);
      if (isRejection(result)) throw new SimRejectedError(`node ${index} refused the transaction: ${result.reason}${result.detail ? ` (${result.detail})` : ''}`);
      return txId(tx);
    },
    reached: (id) => nodes.reduce((count, node) => count + (node.alive && node.txs.has(id) ? 1 : 0), 0),
    allReached: (id) => nodes.every((node) => !node.alive || node.txs.has(id)),
    hops(id) {
      return hopCounts(nodes.length, (index) => {
        const from = nodes[index]!.txs.get(id)?.fromIndex;
        return from === 'self' ? 'origin' : from;
      });
    },
    runUntil: ((target: number | (() => boolean), options?: RunOptions) =>
      guard(() => (typeof target === 'number' ? scheduler.runUntil(target) : scheduler.runUntil(target, options)))) as SimNetwork<N>['runUntil'],
    runFor: (durationMs) => guard(() => scheduler.runFor(durationMs)),
    runUntilIdle: (maxTimeMs) => guard(() => scheduler.runUntilIdle(maxTimeMs)),
    stats: () => stats.snapshot({
      seed,
      network: networkName,
      timeMs: scheduler.nowMs(),
      events: scheduler.eventsRun(),
      instants: scheduler.instantsRun(),
      nodes,
      openLinks: network.links().length,
      verifier: verifier.stats(),
    }),
    async drive(promise) {
      let settled = false;
      const watched = promise.finally(() => { settled = true; });
      await guard(() => scheduler.settle());
      if (!settled) throw new SimRejectedError('drive: the promise still waits after settling; it needs virtual time, so run the network instead');
      return watched;
    },
    close() {
      for (const handle of ticks.values()) handle.cancel();
      for (const sim of nodes) if (sim.alive) sim.node.close();
    },
  };
  return network;
}
