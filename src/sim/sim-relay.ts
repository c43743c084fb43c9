/**
 * The simulator's signaling relay: one room holding every live node, as the
 * WebSocket relay holds a network's tabs (docs/PROTOCOL.md, "Relay"). A node
 * is welcomed with a random sample of the room (the relay's 32) once it
 * starts, and a signal reaches its addressee one latency later, if the
 * addressee is alive and the partition lets the two talk: a partition blocks
 * the transport, relay included, and heal() lifts it. Nothing here opens a
 * link: the peers' connectors and mesh maintainers do (mesh-sim.ts), so after
 * a partition the network heals the way tabs do.
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
}

/** Makes each node's relay transport; `network()` is read only once the simulation runs. */
export function createSimRelay(network: () => SimNetwork<SimNodeLike> | undefined, prng: Prng, init: SimRelayInit = {}) {
  const latencyMs = init.latencyMs ?? 30;
  const transports = new Map<number, { peerId: PeerId; events: Emitter<SignalingEvents>; known: Set<PeerId> }>();
  const counters = { signalsRelayed: 0, signalsBlocked: 0 };

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
            const members = net.live().filter((sim) => sim.index !== index).map((sim) => sim.peerId);
            const sample = prng.shuffle(members).slice(0, SIM_WELCOME_SAMPLE);
            for (const id of sample) entry.known.add(id);
            events.emit('welcome', sample);
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
            if (!receiver.known.has(peerId)) {
              receiver.known.add(peerId);
              receiver.events.emit('peer-joined', peerId);
            }
            receiver.events.emit('signal', peerId, data);
          });
          return true;
        },
      };
    },
    stats: () => ({ ...counters }),
  };
}
