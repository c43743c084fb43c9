/**
 * The simulator's connector (peer/connector.ts): link set-up modelled at the
 * signaling seam. A dial seals a real, signed offer envelope and hands it to
 * the assembly, which routes it through the mesh; the callee's assembly gates
 * it (bans, inbound room) and delivers it here, and we seal an answer and
 * route it back; when the answer arrives the simulator opens the link
 * (network.link), as a completed WebRTC set-up would. Only the ICE/DTLS part
 * of WebRTC is skipped, so every link opened after the start was set up by
 * signals that crossed the mesh.
 */
import { checkSignalContext, openSignal, sealSignal } from '../core/signal-envelope.ts';
import type { Clock, PeerId, Signer } from '../core/types.ts';
import { ownOfferWinsGlare, parseSignalPayload } from '../net/signal-payload.ts';
import type { Connector, ConnectorHooks } from '../peer/connector.ts';

export interface SimConnectorComponents {
  signer: Signer;
  clock: Clock;
  /** Opens a simulated link to `peerId` (both ends' addLink); false when it cannot (gone, already linked). */
  openLink(peerId: PeerId): boolean;
}

export interface SimConnectorInit {
  network: string;
  /** A dial with no answer by then fails (the browser dialer abandons after 20 s). */
  dialTimeoutMs: number;
}

export interface SimDialStats {
  dials: number;
  /** Links opened by an answer that came back through the mesh. */
  meshLinks: number;
  timeouts: number;
}

export type SimConnector = Connector & { stats(): SimDialStats };

export function createSimConnector(components: SimConnectorComponents, init: SimConnectorInit, hooks: ConnectorHooks): SimConnector {
  const { signer, clock } = components;
  const pending = new Map<PeerId, number>();
  const counters: SimDialStats = { dials: 0, meshLinks: 0, timeouts: 0 };

  const seal = (to: PeerId, type: 'offer' | 'answer') =>
    sealSignal(init.network, signer, to, JSON.stringify({ type, sdp: `sim ${type}` }), clock.nowMs());

  return {
    dial(peerId) {
      if (peerId === signer.peerId || pending.has(peerId)) return;
      counters.dials++;
      pending.set(peerId, clock.nowMs());
      void seal(peerId, 'offer').then((hex) => {
        if (hooks.sendSignal(peerId, hex)) return;
        pending.delete(peerId);
        hooks.onUnanswered?.(peerId);
      });
    },
    isPending: (peerId) => pending.has(peerId),
    pendingCount: () => pending.size,
    receiveSignal(from, envelopeHex) {
      const opened = openSignal(envelopeHex);
      const checked = opened.ok ? checkSignalContext(opened.value, { stampedFrom: from, self: signer.peerId, nowMs: clock.nowMs() }) : opened;
      const payload = checked.ok ? parseSignalPayload(checked.value.payload) : checked;
      if (!payload.ok) return hooks.onRefused(from, payload.detail);
      const { type } = payload.value;
      if (type === 'offer') {
        if (pending.has(from) && ownOfferWinsGlare(signer.peerId, from)) return;
        pending.delete(from);
        void seal(from, 'answer').then((hex) => hooks.sendSignal(from, hex));
      } else if (type === 'answer' && pending.delete(from)) {
        if (components.openLink(from)) counters.meshLinks++;
      }
    },
    tick() {
      const now = clock.nowMs();
      for (const [peerId, startedMs] of pending) {
        if (now - startedMs > init.dialTimeoutMs) {
          pending.delete(peerId);
          counters.timeouts++;
          hooks.onUnanswered?.(peerId);
        }
      }
    },
    close: () => pending.clear(),
    stats: () => ({ ...counters }),
  };
}
