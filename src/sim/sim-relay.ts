/**
 * The simulator's signaling relay: one room holding every live node, as the
 * WebSocket relay holds a network's tabs (docs/PROTOCOL.md, "Relay"). A node
 * is welcomed with a random sample of the room (the relay's 32) once it
 * starts, and a signal reaches its addressee one latency later, if the
 * addressee is alive and the partition lets the two talk: a partition blocks
 * the transport, relay included, and heal() lifts it. Nothing here opens a
 * link: the peers' connectors and mesh maintainers do (mesh-sim.ts), so after
 * a partition the network heals the way tabs do.
 *
 * With `groupOf`, the room is the real relay's across addresses: at most
 * `maxMembersPerGroup` members per address group, and a welcome drawn one
 * group at a time (docs/PROTOCOL.md, "Rooms without a cap"). Silent members
 * (`silentMembers`: a Sybil host's identities, joined but never answering)
 * count toward the room and its welcomes; a signal to one goes nowhere.
 * The relay attests each member's group as the real relay does: on the
 * welcome's members, and on each signal it forwards (docs/PROTOCOL.md, "Relay").
 */
import { Emitter } from '../core/emitter.ts';
import type { PeerId } from '../core/types.ts';
import type { SignalingEvents } from '../net/signaling-client.ts';
import type { RelayTransport } from '../peer/mesh-peer.ts';
import type { Prng } from './prng.ts';
import type { SimNetwork } from './sim-network.ts';
import type { SimNodeLike } from './sim-node.ts';

/** Members in a welcome: the relay's sample size (signaling/, WELCOME_SAMPLE). */
export const SIM_WELCOME_SAMPLE = 32;

export interface SimRelayInit {
  /** One-way delay of a relayed signal. Default 30 ms (a relay on the same continent). */
  latencyMs?: number;
  /** Each node's address group as the relay sees it; without it every member is drawn alike. */
  groupOf?: (index: number) => string | undefined;
  /** Members per address group. Default 64, the relay's (signaling/relay-server.ts, RELAY_DEFAULTS.maxMembersPerAddress). */
  maxMembersPerGroup?: number;
  /** Indexes of members that joined without a transport here (silent Sybils). Default none. */
  silentMembers?: () => readonly number[];
}

/** The relay's members-per-address limit (signaling/relay-server.ts RELAY_DEFAULTS; sim-relay.test.ts checks they agree). */
export const SIM_MEMBERS_PER_GROUP = 64;

/** Makes each node's relay transport; `network()` is read only once the simulation runs. */
export function createSimRelay(network: () => SimNetwork<SimNodeLike> | undefined, prng: Prng, init: SimRelayInit = {}) {
  const latencyMs = init.latencyMs ?? 30;
  const transports = new Map<number, { peerId: PeerId; events: Emitter<SignalingEvents>; known: Set<PeerId> }>();
  const counters = { signalsRelayed: 0, signalsBlocked: 0 };

  /** The room as the relay holds it: joined nodes and silent members, at most maxMembersPerGroup per address group. */
  function roomOf(net: SimNetwork<SimNodeLike>, self: number): Map<string, number[]> {
    const silent = new Set(init.silentMembers?.() ?? []);
    const groups = new Map<string, number[]>();
    for (const sim of net.live()) {
      if (sim.index === self || !(transports.has(sim.index) || silent.has(sim.index))) continue;
      const group = init.groupOf?.(sim.index) ?? `node/${sim.index}`;
      const members = groups.get(group) ?? [];
      if (members.length < (init.maxMembersPerGroup ?? SIM_MEMBERS_PER_GROUP)) members.push(sim.index);
      groups.set(group, members);
    }
    return groups;
  }

  /** Up to SIM_WELCOME_SAMPLE members, one random member of each of a random order of groups, round after round. */
  function welcomeSample(net: SimNetwork<SimNodeLike>, self: number): PeerId[] {
    const groups = prng.shuffle([...roomOf(net, self).values()].map((members) => prng.shuffle(members)));
    const sample: PeerId[] = [];
    for (let round = 0; sample.length < SIM_WELCOME_SAMPLE && groups.some((members) => members.length > round); round++) {
      for (const members of groups) if (members.length > round && sample.length < SIM_WELCOME_SAMPLE) sample.push(net.nodes[members[round]!]!.peerId);
    }
    return sample;
  }

  return {
    /** `after` is the node's timer (the virtual clock): the welcome may come before network() is attached. */
    transport(index: number, peerId: PeerId, after: (delayMs: number, task: () => void) => void): RelayTransport {
      const events = new Emitter<SignalingEvents>();
      const entry = { peerId, events, known: new Set<PeerId>() };
      transports.set(index, entry);
      return {
        events,
        status: () => 'open',
        start() {
          after(latencyMs, () => {
            const net = network();
            if (!net) return;
            const sample = welcomeSample(net, index);
            for (const id of sample) entry.known.add(id);
            events.emit('welcome', sample, init.groupOf ? sample.map((id) => init.groupOf!(net.indexOf(id)!)) : undefined);
          });
        },
        stop: () => void transports.delete(index),
        sendSignal(to, data) {
          const net = network();
          const target = net?.indexOf(to);
          if (!net || target === undefined || !net.nodes[target]?.alive) return false;
          net.scheduler.after(latencyMs, () => {
            const receiver = transports.get(target);
            if (!receiver || !net.nodes[target]?.alive || !net.connected(index, target)) {
              counters.signalsBlocked++;
              return;
            }
            counters.signalsRelayed++;
            // As the relay client does: a sender we had not heard of is a room member from now on.
            const group = init.groupOf?.(index);
            if (!receiver.known.has(peerId)) {
              receiver.known.add(peerId);
              receiver.events.emit('peer-joined', peerId, group);
            }
            receiver.events.emit('signal', peerId, data, group);
          });
          return true;
        },
      };
    },
    stats: () => ({ ...counters }),
  };
}
