import type { PeerId } from './types.ts';

export type LinkDirection = 'in' | 'out';

/**
 * One open, authenticated channel to a peer (Trystero-style small seam).
 * Implemented over simple-peer data channels in the browser and over memory
 * in tests and the simulator; one contract suite checks both.
 */
export interface PeerLink {
  /** The remote peer, authenticated by its signed signaling before the link opened. */
  readonly peerId: PeerId;
  readonly direction: LinkDirection;
  /**
   * The far end's network group (core/peers/network-group.ts) when the
   * transport knows its address and the address has one; undefined for
   * loopback, private and mDNS addresses, TURN-relayed links and transports
   * that do not know. May be learnt a moment after the link opens.
   */
  readonly remoteGroup?: string | undefined;
  /** Queues one frame; a link that is closed ignores it and reports false. */
  send(bytes: Uint8Array): boolean;
  /** Bytes queued but not yet sent, for backpressure. */
  bufferedAmount(): number;
  onMessage(handler: (bytes: Uint8Array) => void): void;
  /** Called once, when either side closes or the channel fails. */
  onClose(handler: (reason: string) => void): void;
  close(reason: string): void;
}
