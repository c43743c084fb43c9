/**
 * What the node gives its protocol modules (transaction relay, block relay,
 * chain sync): a way to talk to peers and to report misbehaviour, without
 * handing them the sessions themselves.
 */
import type { Frame } from './frames.ts';
import type { StatName } from './stats.ts';
import type { Clock, Logger, PeerId } from './types.ts';

export interface ProtocolContext {
  clock: Clock;
  log: Logger;
  /** Sends to one open peer; false when it is gone. */
  send(peerId: PeerId, frame: Frame): boolean;
  /** Sends to every open peer except `except`. */
  broadcast(frame: Frame, except?: PeerId): number;
  /** Sends a module-owned frame type with an already-encoded payload. */
  sendModuleFrame(peerId: PeerId, type: number, payload: Uint8Array): boolean;
  /** First misbehaviour: disconnect and hold off (docs/SECURITY.md). */
  punish(peerId: PeerId, reason: string): void;
  /** Not misbehaviour, but useless to us: disconnect and hold off for `durationMs` (shorter than a ban). */
  holdOff(peerId: PeerId, reason: string, durationMs: number): void;
  count(name: StatName, by?: number): void;
  openPeers(): PeerId[];
  /** The network group of the link to `peerId` (PeerLink.remoteGroup); undefined when it has none or is not linked. */
  networkGroup?(peerId: PeerId): string | undefined;
}
