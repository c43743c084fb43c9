/** The offer gate between incoming signals and the dialer (net/mesh-maintainer.ts decides). */
import { openSignal } from '../core/signal-envelope.ts';
import type { PeerId } from '../core/types.ts';
import type { MeshMaintainer } from './mesh-maintainer.ts';
import { parseSignalPayload } from './signal-payload.ts';

/**
 * A gate for incoming signals (relay or mesh) before dialer.receiveSignal:
 * an offer that would open a new inbound link is dropped when the maintainer
 * refuses it (shouldAccept), so inbound peers cannot take the reserved
 * outbound slots. Everything else passes; the dialer checks it fully.
 */
export function createOfferGate(mesh: Pick<MeshMaintainer, 'shouldAccept'>, dialer: { isPending(peerId: PeerId): boolean }) {
  /** `group`: the sender's network group when the relay attests it on the signal (docs/PROTOCOL.md, "Relay"). */
  return (from: PeerId, envelopeHex: string, group?: string): boolean => {
    if (dialer.isPending(from)) return true; // an answer or candidate for our own dial, or glare the dialer resolves
    const opened = openSignal(envelopeHex);
    if (!opened.ok) return true;
    const payload = parseSignalPayload(opened.value.payload);
    return !payload.ok || payload.value.type !== 'offer' || mesh.shouldAccept(from, 'in', group);
  };
}
