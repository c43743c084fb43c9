/**
 * PeerLink over a connected simple-peer data channel. simple-peer is created
 * by the caller (browser bundle in tabs, the npm entry plus @roamhq/wrtc in
 * Node), so this file works in both.
 */
import type { Instance as SimplePeerInstance } from 'simple-peer';
import type { LinkDirection, PeerLink } from '../core/link.ts';
import { networkGroupOf } from '../core/peers/network-group.ts';
import type { PeerId } from '../core/types.ts';

/** The subset of WebRTC stats read here (RTCStatsReport entries are untyped records). */
interface StatsEntry {
  id: string;
  type: string;
  selectedCandidatePairId?: string;
  remoteCandidateId?: string;
  selected?: boolean;
  nominated?: boolean;
  state?: string;
  candidateType?: string;
  address?: string;
  ip?: string;
}

/**
 * The far end's network group (core/peers/network-group.ts), from the
 * candidate pair the connection uses. A TURN-relayed pair has none: every
 * user of one TURN server shares its address.
 */
export async function remoteGroupOf(pc: Pick<RTCPeerConnection, 'getStats'>): Promise<string | undefined> {
  const report = (await pc.getStats()) as unknown as Map<string, StatsEntry>;
  const entries = [...report.values()];
  const pairId = entries.find((entry) => entry.type === 'transport' && entry.selectedCandidatePairId)?.selectedCandidatePairId;
  // Without a transport entry (older Firefox), the pair marked selected, or nominated and succeeded.
  const pair = pairId ? report.get(pairId) : entries.find((entry) => entry.type === 'candidate-pair' && (entry.selected || (entry.nominated && entry.state === 'succeeded')));
  const remote = pair?.remoteCandidateId ? report.get(pair.remoteCandidateId) : undefined;
  if (!remote || remote.candidateType === 'relay') return undefined;
  return networkGroupOf(remote.address ?? remote.ip);
}

export function createSimplePeerLink(peer: SimplePeerInstance, peerId: PeerId, direction: LinkDirection): PeerLink {
  const messageHandlers: ((bytes: Uint8Array) => void)[] = [];
  const closeHandlers: ((reason: string) => void)[] = [];
  let closed = false;
  let closeReason = 'channel closed';
  let remoteGroup: string | undefined;
  const pc = (peer as unknown as { _pc?: RTCPeerConnection })._pc;
  // A stats read that fails (the connection closed first) leaves the link without a group: it is then not limited.
  if (pc) remoteGroupOf(pc).then((group) => void (remoteGroup = group), () => undefined);

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
    get remoteGroup() {
      return remoteGroup;
    },
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
