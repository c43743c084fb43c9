/**
 * In-memory PeerLinks for tests and the simulator. Delivery is asynchronous
 * (a microtask), like a real channel, so code cannot rely on re-entrancy.
 */
import type { PeerLink } from '../core/link.ts';
import type { PeerId } from '../core/types.ts';

interface End {
  link: PeerLink;
  deliver(bytes: Uint8Array): void;
  end(reason: string): void;
}

function createEnd(peerId: PeerId, direction: 'in' | 'out'): End & { other?: End } {
  const messageHandlers: ((bytes: Uint8Array) => void)[] = [];
  const closeHandlers: ((reason: string) => void)[] = [];
  let closed = false;
  let closeReason = '';
  const end: End & { other?: End } = {
    deliver(bytes) {
      if (!closed) for (const handler of messageHandlers) handler(bytes);
    },
    end(reason) {
      if (closed) return;
      closed = true;
      closeReason = reason;
      for (const handler of closeHandlers) handler(reason);
    },
    link: {
      peerId,
      direction,
      send(bytes) {
        if (closed) return false;
        const copy = bytes.slice();
        queueMicrotask(() => end.other?.deliver(copy));
        return true;
      },
      bufferedAmount: () => 0,
      onMessage: (handler) => void messageHandlers.push(handler),
      onClose(handler) {
        if (closed) handler(closeReason);
        else closeHandlers.push(handler);
      },
      close(reason) {
        if (closed) return;
        end.end(reason);
        queueMicrotask(() => end.other?.end(`remote closed: ${reason}`));
      },
    },
  };
  return end;
}

/** Two connected links: `atA` is A's link to B (outbound), `atB` is B's link to A (inbound). */
export function createMemoryLinkPair(a: PeerId, b: PeerId): { atA: PeerLink; atB: PeerLink } {
  const endA = createEnd(b, 'out');
  const endB = createEnd(a, 'in');
  endA.other = endB;
  endB.other = endA;
  return { atA: endA.link, atB: endB.link };
}
