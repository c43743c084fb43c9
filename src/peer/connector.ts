/**
 * The link-making seam of a mesh peer (mesh-peer.ts). A connector turns
 * signals into links: the WebRTC dialer in a tab and in the Node full node
 * (net/webrtc-dialer.ts, over simple-peer in either), and the simulator's
 * (sim/sim-connector.ts), which opens a simulated link once a real signed
 * offer and answer have crossed the mesh.
 *
 * The assembly decides which signals reach the connector (bans, inbound
 * room: createOfferGate) and how its outgoing signals travel (the relay
 * while it knows the peer, else the mesh); the connector owns the set-up.
 */
import type { PeerLink } from '../core/link.ts';
import type { PeerId } from '../core/types.ts';

/** What the assembly gives a connector. */
export interface ConnectorHooks {
  /** Sends a sealed envelope (hex) toward `to`; false when there is no route. */
  sendSignal(to: PeerId, envelopeHex: string): boolean;
  /** Receives each link once it is open. */
  onLink(link: PeerLink): void;
  /** A signal was refused (forged, stale, malformed), for stats. */
  onRefused(peerId: PeerId, reason: string): void;
  /** Our offer to `peerId` reached nobody or got no signal back: the peer may have left (mesh-maintainer.ts, unanswered). */
  onUnanswered?(peerId: PeerId): void;
}

export interface Connector {
  /** Starts a link set-up to `peerId` unless one is under way. */
  dial(peerId: PeerId): void;
  isPending(peerId: PeerId): boolean;
  pendingCount(): number;
  /** A sealed envelope that arrived from `from` (stamped by the relay or the mesh). */
  receiveSignal(from: PeerId, envelopeHex: string): void;
  /** Called on the peer's tick (e.g. to expire set-ups that never completed). */
  tick?(): void;
  /** Abandons every set-up under way. */
  close(): void;
}

export type ConnectorFactory = (hooks: ConnectorHooks) => Connector;
