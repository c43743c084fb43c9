/**
 * Measured attacks (issue 20 §4): honest tabs built by the real assembly
 * (mesh-sim.ts → peer/mesh-peer.ts createMeshPeer) face Sybil identities run
 * by a few attacker hosts (sybil-host.ts), all in one deterministic
 * simulation. Behind bench/attack.ts (1,000 honest vs 1,000 and 10,000) and
 * attack-scenario.test.ts (60 vs 600).
 *
 * Timeline (virtual time):
 *  1. The honest nodes start from a sparse random graph (2 links each, a
 *     bootstrap) and the attack starts at once: hosts flood records and take
 *     inbound slots while the honest mesh fills to D from its peer books.
 *  2. A few honest senders mine a block each (their funds).
 *  3. The attack window: tabs reload (churn: a few honest nodes leave and
 *     come back with an empty book and one bootstrap link, so their
 *     neighbours redial from polluted books), honest transactions are sent,
 *     and, once, some identities send a forged peer record (misbehaviour).
 *  4. Measured: eclipsed nodes, transaction delivery, time to disconnect.
 *  5. The honest nodes are split in halves (the hosts' identities too), each
 *     half mines, the split is lifted: time until every honest node is on
 *     the most-work tip.
 *
 * `defences: false` is the ablation: the peer book files records by their
 * own id (no source buckets), outbound dials ignore groups, links are not
 * limited per network group, announcers are asked in arrival order (no
 * standing, no hold-off for stalling), no feelers, and stamps are checked at
 * 0 bits. In both runs a reloading tab offers links to its anchors first
 * (its outbound peers before the reload, as peer/peer-book-store.ts keeps
 * them), then to the relay's welcome, and stops at 2 links.
 */
import type { Tx } from '../../core/tx.ts';
import type { BlockHash, PeerId, TxId } from '../../core/types.ts';
import { createMeshSim, type MeshSimNode } from '../mesh-sim.ts';
import { createPrng } from '../prng.ts';
import { mineBlock } from '../sim-mining.ts';
import { createSimNetwork, SimRejectedError, type SimNetwork } from '../sim-network.ts';
import type { SimNodeFactory } from '../sim-node.ts';
import { randomConnectedGraph } from '../topology.ts';
import { createSybilHost, type AttackStrategies, type SybilHost, type SybilNode } from './sybil-host.ts';

export interface AttackScenarioInit {
  seed: number;
  honest: number;
  sybils: number;
  /** Attacker machines; identities are dealt round-robin. Default 4. */
  hosts?: number;
  defences: boolean;
  strategies?: Partial<AttackStrategies>;
  /** Chain work the Sybil records claim. Default 0 (claims more work lure dials for work). */
  claimedWork?: bigint;
  /** Length of the attack window with churn and transactions. Default 120 s. */
  windowMs?: number;
  /** Honest nodes reloaded every 10 s of the window. Default 2% of them. */
  reloadsPerRound?: number;
  /** Honest senders (each mines one block first). Default 5. */
  senders?: number;
  /** Transactions sent during the window. Default 40. */
  txs?: number;
  /** Identities per host that send a forged record once. Default 10. */
  probesPerHost?: number;
  /** Time for delivery after the last transaction. Default 30 s. */
  drainMs?: number;
  /** Skip the partition phase (the unit test). Default false. */
  skipPartition?: boolean;
  /**
   * A relay room (sim-relay.ts) the honest nodes join, with the hosts' identities as silent members within its
   * per-address limits. False: no relay at all (it is down), so links form only through the mesh. Default true.
   */
  relay?: boolean;
  /** Told as each phase ends, with the virtual time: a run at 1,000 nodes takes most of an hour, and this is its progress. */
  onPhase?: (phase: string, virtualMs: number) => void;
}

export interface AttackFigures {
  honest: number;
  sybils: number;
  hosts: number;
  defences: boolean;
  /** Live honest nodes whose every outbound link goes to an attacker (nodes with no outbound link are counted apart). */
  eclipsed: number;
  eclipsedShare: number;
  /** Honest nodes with no link to another honest node at all. */
  cutOff: number;
  /** Of all honest outbound links, the share to attackers. */
  outboundToAttackers: number;
  /** Honest outbound links to attackers that answered a headers request (passed the outbound proof). */
  attackerLinksAnswered: number;
  /** Of all records in honest peer books, the share that are Sybil identities. */
  bookSybilShare: number;
  txsSent: number;
  /** Transfers a sender's own node refused (its funding block lost a fork): not sent, so not in `delivery`. */
  txsRefused: number;
  /** Σ honest nodes reached / (txs × live honest nodes), drainMs after the last send. */
  delivery: number;
  /** Median and worst ms from a forged record's send to the honest node's ban; probes unanswered within 5 s. */
  disconnectMedianMs: number | undefined;
  disconnectMaxMs: number | undefined;
  probes: number;
  probesUnanswered: number;
  /** Ms from lifting the split until every live honest node held the most-work tip; undefined if not within 120 s. */
  healMs: number | undefined;
  /** Share of honest nodes on that tip when the wait ended. */
  healedShare: number | undefined;
  /** Hashes the attacker paid for its identities' stamps at the network's bits (2^bits each, expected). */
  stampHashes: number;
  stampBits: number;
  attacker: SybilHost['counters'];
  /** Peer records received and own records signed, per live honest node per virtual second (the gossip's cost). */
  recordsReceivedPerSec: number;
  ownRecordsSignedPerSec: number;
  virtualMs: number;
}

type AttackNode = MeshSimNode | SybilNode;
const isSybil = (node: AttackNode): node is SybilNode => 'sybil' in node;

export async function runAttackScenario(init: AttackScenarioInit): Promise<AttackFigures> {
  const { seed, honest, sybils, defences } = init;
  const hostCount = init.hosts ?? 4;
  const strategies: AttackStrategies = { flood: true, takeInbound: true, announceOnly: true, ...init.strategies };
  const stampBits = defences ? 8 : 0;
  const attackPrng = createPrng(seed).fork('attack');
  // Every honest tab in a network of its own; each host's identities share the host's.
  const groupOf = (index: number) => (index < honest ? `honest/${index}` : `host/${(index - honest) % hostCount}`);
  // The hosts' identities join the relay room too, as silent members, within the relay's per-address limits.
  const relay = init.relay === false ? false : { groupOf, silentMembers: () => Array.from({ length: sybils }, (_, i) => honest + i) };
  const sim = createMeshSim(defences
    ? { relay, relaySeed: seed, mesh: { feelerIntervalMs: 30_000 } }
    : {
      relay, relaySeed: seed, announcerStanding: false,
      mesh: { feelerIntervalMs: 0, outboundDiversity: false, networkGroupLimits: false }, peers: { sourceBuckets: false },
    });
  // The world's callbacks run only once the network exists (it is built from the hosts' nodes).
  const ref: { net?: SimNetwork<AttackNode> } = {};
  const honestIds = () => ref.net!.nodes.slice(0, honest).filter((node) => node.alive).map((node) => node.peerId);
  const world = {
    network: 'test-sim',
    nowMs: () => ref.net!.scheduler.clock.nowMs(),
    honestIds,
    accepts: (to: PeerId, from: PeerId) => {
      const index = ref.net!.indexOf(to);
      const node = index === undefined ? undefined : ref.net!.nodes[index];
      // With the relay up the hosts' offers cross it, and it attests their network group (docs/PROTOCOL.md, "Relay").
      return !!node?.alive && !isSybil(node.node) && node.node.mesh.shouldAccept(from, 'in', relay ? groupOf(ref.net!.indexOf(from)!) : undefined);
    },
    // A serving host syncs the chain like any node; it reads the first live honest node's (the serve strategy).
    headersAfter: (locator: readonly BlockHash[], max: number) => honestNode(liveHonest()[0]?.index ?? 0).ledger.headersAfter(locator, max),
    open: (from: PeerId, to: PeerId) => {
      const [a, b] = [ref.net!.indexOf(from), ref.net!.indexOf(to)];
      return a !== undefined && b !== undefined && !!ref.net!.nodes[b]?.alive && ref.net!.link(a, b) !== undefined;
    },
  };
  const hosts = Array.from({ length: hostCount }, (_, i) => createSybilHost(world, attackPrng.fork(`host/${i}`), {
    strategies, ...(init.claimedWork !== undefined ? { claimedWork: init.claimedWork } : {}),
  }));
  const factory: SimNodeFactory<AttackNode> = (components) => components.index < honest
    ? sim.factory(components)
    : hosts[(components.index - honest) % hostCount]!.node(components.signer);
  const net = ref.net = await createSimNetwork<AttackNode>({
    seed, nodes: honest + sybils, nodeFactory: factory, latencyMs: 40, jitterMs: 20, ordered: true, partitionMode: 'disconnect',
    edges: randomConnectedGraph(honest, 2, attackPrng.fork('bootstrap')), chainParams: { identityStampBits: stampBits },
    networkGroupOf: groupOf,
  });
  sim.attach(net as unknown as SimNetwork<MeshSimNode>);
  const miners = net as unknown as SimNetwork<MeshSimNode>;
  const honestNode = (index: number) => ref.net!.nodes[index]!.node as MeshSimNode;
  const liveHonest = () => ref.net!.nodes.slice(0, honest).filter((node) => node.alive);
  const allHonestAt = (hash: string) => liveHonest().every((node) => (node.node as MeshSimNode).ledger.tip().hash === hash);

  const phase = (name: string) => init.onPhase?.(name, net.nowMs());
  // 1-2. The mesh forms under attack; the senders mine their funds.
  await net.runFor(20_000);
  phase('mesh formed under attack');
  const senderCount = Math.min(init.senders ?? 5, honest);
  for (let i = 0; i < senderCount; i++) {
    await mineBlock(miners, i, { txs: [] });
    const tip = honestNode(i).ledger.tip().hash;
    await net.runUntil(() => allHonestAt(tip), { maxTimeMs: 5_000 }); // eclipsed nodes may never get it
  }

  phase('senders funded');
  // 3. The attack window: churn, transactions, one round of forged records.
  const windowMs = init.windowMs ?? 120_000;
  const rounds = Math.max(1, Math.floor(windowMs / 10_000));
  const reloads = init.reloadsPerRound ?? Math.max(1, Math.round(honest * 0.02));
  const txCount = init.txs ?? 40;
  const sent: { id: TxId; atMs: number }[] = [];
  let attempts = 0;
  let txsRefused = 0;
  const churn = attackPrng.fork('churn');
  const probes: { from: PeerId; to: number; atMs: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < reloads; i++) {
      const index = senderCount + churn.int(honest - senderCount);
      // The reloading tab dials its anchors first (its outbound links before the reload, peer/peer-book-store.ts),
      // then the relay's welcome: up to 32 honest members (its per-address caps keep the hosts' share of a room
      // small; not modelled). It offers to one after another and stops at 2 links: each yes spends that
      // member's new-inbound token (shouldAccept). A host's identity always answers.
      const sim = net.nodes[index]!;
      const reloading = sim.node as MeshSimNode;
      const anchors = reloading.peers().filter((peer) => peer.direction === 'out' && peer.answered && !reloading.mesh.isFeeler(peer.id))
        .map((peer) => net.indexOf(peer.id)).filter((at): at is number => at !== undefined);
      const welcome = churn.shuffle(liveHonest().map((node) => node.index).filter((at) => at !== index && !anchors.includes(at))).slice(0, 32);
      net.leave(index, 'reloading'); // its links close first, so each offer below is a new link
      const open: number[] = [];
      for (const at of [...anchors, ...welcome]) {
        if (open.length === 2) break;
        const node = net.nodes[at]!.node;
        if (isSybil(node) || node.mesh.shouldAccept(sim.peerId, 'in')) open.push(at);
      }
      await net.rejoin(index, { peers: open });
    }
    if (round === Math.floor(rounds / 2)) probes.push(...await sendForgedRecords(net, hosts, init.probesPerHost ?? 10, honest));
    for (let t = 0; t < 10; t++) {
      if (attempts < txCount && (round * 10 + t) % Math.max(1, Math.floor((rounds * 10) / txCount)) === 0) {
        // Senders take turns by attempt: one whose funding block lost a fork (a sender cut off while mining) refuses
        // its own transfers, and must not stop the others'.
        const from = attempts++ % senderCount;
        const tx: Tx = await net.transfer(from, senderCount + churn.int(honest - senderCount));
        try {
          sent.push({ id: net.submit(from, tx), atMs: net.nowMs() });
        } catch (error) {
          if (!(error instanceof SimRejectedError)) throw error;
          txsRefused++;
        }
      }
      await net.runFor(1_000);
    }
    phase(`attack window, round ${round + 1} of ${rounds}`);
  }
  await net.runFor(init.drainMs ?? 30_000);
  phase('transactions drained');

  // 4. The figures of the window.
  const live = liveHonest();
  const honestSet = new Set(live.map((node) => node.peerId));
  let eclipsed = 0, cutOff = 0, outbound = 0, outboundBad = 0, answeredBad = 0, bookRecords = 0, bookSybil = 0;
  for (const sim of live) {
    const node = sim.node as MeshSimNode;
    const links = node.peers().filter((peer) => !node.mesh.isFeeler(peer.id));
    const out = links.filter((peer) => peer.direction === 'out');
    const bad = out.filter((peer) => (net.indexOf(peer.id) ?? 0) >= honest);
    outbound += out.length;
    outboundBad += bad.length;
    answeredBad += bad.filter((peer) => peer.answered).length;
    if (out.length > 0 && bad.length === out.length) eclipsed++;
    if (!links.some((peer) => honestSet.has(peer.id))) cutOff++;
    for (const id of node.peerExchange.book.peerIds()) {
      bookRecords++;
      if ((net.indexOf(id) ?? 0) >= honest) bookSybil++;
    }
  }
  let reached = 0;
  for (const tx of sent) reached += live.filter((node) => node.txs.has(tx.id)).length;
  const bans = probes.map((probe) => {
    const target = ref.net!.nodes[probe.to]!;
    return target.peerEvents.find((event) => event.kind === 'ban' && event.peerId === probe.from && event.atMs >= probe.atMs)?.atMs;
  });
  const delays = probes.flatMap((probe, i) => (bans[i] === undefined ? [] : [bans[i]! - probe.atMs])).sort((a, b) => a - b);

  // 5. A 50/50 split of the honest nodes (each host's identities dealt to both halves), each half mining.
  let healMs: number | undefined;
  let healedShare: number | undefined;
  if (!init.skipPartition) {
    const half = Math.floor(honest / 2);
    const losing = [...Array(half).keys(), ...Array.from({ length: sybils }, (_, i) => honest + i).filter((i) => i % 2 === 0)];
    net.partition([losing], 'disconnect');
    await net.runFor(10_000);
    await mineBlock(miners, 0, { txs: [] });
    // The winning half's two blocks come from one miner, so its chain has strictly more work than the other
    // half's (two miners could fork at equal work, and a tie has no winner to heal to).
    for (let i = 0; i < 2; i++) {
      await mineBlock(miners, half, { txs: [] });
      await net.runFor(1_000);
    }
    await net.runFor(20_000);
    phase('split: each half mined');
    // The most-work tip any honest node holds.
    const tips = liveHonest().map((node) => (node.node as MeshSimNode).ledger.tip());
    const best = tips.reduce((a, b) => (b.chainWork > a.chainWork ? b : a)).hash;
    net.heal();
    const liftedMs = net.nowMs();
    const run = await net.runUntil(() => allHonestAt(best), { maxTimeMs: 120_000 });
    healMs = run.done ? net.nowMs() - liftedMs : undefined;
    const nowLive = liveHonest();
    healedShare = nowLive.filter((node) => (node.node as MeshSimNode).ledger.tip().hash === best).length / nowLive.length;
    phase(healMs === undefined ? 'split lifted: not healed in 120 s' : `split lifted: healed in ${healMs} ms`);
  }
  const virtualMs = net.nowMs();
  // A reloaded tab's counters start again at its reload, so these slightly undercount.
  const gossip = { received: 0, signed: 0 };
  const endLive = liveHonest();
  for (const sim of endLive) {
    const stats = (sim.node as MeshSimNode).peerExchange.stats();
    gossip.received += stats.recordsReceived;
    gossip.signed += stats.ownRecordsSigned;
  }
  const perNodeSec = (count: number) => count / endLive.length / (virtualMs / 1000);
  net.close();

  const attacker = { offers: 0, linksOpened: 0, recordFrames: 0, answers: 0, announced: 0, withheld: 0, headersServed: 0 };
  for (const host of hosts) for (const name of Object.keys(attacker) as (keyof typeof attacker)[]) attacker[name] += host.counters[name];
  return {
    honest, sybils, hosts: hostCount, defences,
    eclipsed, eclipsedShare: eclipsed / live.length, cutOff,
    outboundToAttackers: outbound === 0 ? 0 : outboundBad / outbound,
    attackerLinksAnswered: answeredBad,
    bookSybilShare: bookRecords === 0 ? 0 : bookSybil / bookRecords,
    txsSent: sent.length, txsRefused,
    delivery: sent.length === 0 ? 0 : reached / (sent.length * live.length),
    disconnectMedianMs: delays.length > 0 ? delays[Math.floor(delays.length / 2)] : undefined,
    disconnectMaxMs: delays.at(-1),
    probes: probes.length,
    probesUnanswered: probes.length - delays.length,
    healMs, healedShare,
    stampHashes: sybils * 2 ** stampBits, stampBits,
    attacker,
    recordsReceivedPerSec: perNodeSec(gossip.received), ownRecordsSignedPerSec: perNodeSec(gossip.signed),
    virtualMs,
  };
}

/** Some identities of each host send a fresh record of their own whose signature is wrong (misbehaviour the node bans for). */
async function sendForgedRecords(net: SimNetwork<AttackNode>, hosts: SybilHost[], perHost: number, honest: number): Promise<{ from: PeerId; to: number; atMs: number }[]> {
  const out: { from: PeerId; to: number; atMs: number }[] = [];
  for (const host of hosts) {
    let sentByHost = 0;
    for (let index = 0; index < honest && sentByHost < perHost; index++) {
      const target = net.nodes[index]!;
      if (!target.alive) continue;
      // A link open at both ends: the host learns of a close one link latency late, and a probe sent into a link the
      // tab has just closed (for withholding, say) arrives at a closed end and measures nothing.
      const open = new Set((target.node as MeshSimNode).peers().map((peer) => peer.id));
      const from = host.linkedTo(target.peerId).find((id) => open.has(id));
      if (!from) continue;
      const bytes = await host.forgedRecordFrame(from);
      const sybil = net.nodes[net.indexOf(from)!]!.node as SybilNode;
      if (sybil.sendRaw(target.peerId, bytes)) {
        out.push({ from, to: index, atMs: net.nowMs() });
        sentByHost++;
      }
    }
  }
  return out;
}
