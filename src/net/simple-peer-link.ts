/**
 * PeerLink over a connected simple-peer data channel. simple-peer is created
 * by the caller (browser bundle in tabs, the npm entry plus @roamhq/wrtc in
 * Node), so this file works in both.
 */
import type { Instance as SimplePeerInstance } from 'simple-peer';
import type { LinkDirection, PeerLink } from '../core/link.ts';
import type { PeerId } from '../core/types.ts';

export function createSimplePeerLink(peer: SimplePeerInstance, peerId: PeerId, direction: LinkDirection): PeerLink {
  const messageHandlers: ((bytes: Uint8Array) => void)[] = [];
  const closeHandlers: ((reason: string) => void)[] = [];
  let closed = false;
  let closeReason = 'channel closed';

  const finish = (reason: string) => {
    if (closed) return;
    closed = true;
    closeReason = reason;
    for (const handler of closeHandlers) handler(reason);
    peer.removeAllListeners('data');
  };

  peer.on('data', (data: Uint8Array | string) => {
    if (closed) return;
    // A peer that sends text is sending something outside the protocol; it reaches the parser as bytes and is rejected there.
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (const handler of messageHandlers) handler(bytes);
  });
  peer.on('close', () => finish('channel closed'));
  peer.on('error', (error: Error) => finish(`channel error: ${error.message}`));

  return {
    peerId,
    direction,
    send(bytes) {
      if (closed || peer.destroyed) return false;
      try {
        peer.send(bytes);
        return true;
      } catch (error) {
        // The channel can close between our check and the send; report it as a closed link.
        finish(`send failed: ${(error as Error).message}`);
        return false;
      }
    },
    bufferedAmount() {
      return (peer as unknown as { bufferSize?: number }).bufferSize ?? 0;
    },
    onMessage(handler) {
      messageHandlers.push(handler);
    },
    onClose(handler) {
      if (closed) handler(closeReason);
      else closeHandlers.push(handler);
    },
    close(reason) {
      finish(reason);
      peer.destroy();
    },
  };
}
