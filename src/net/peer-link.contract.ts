/**
 * One contract suite for every PeerLink implementation (js-libp2p's
 * interface-compliance-tests): memory links and WebRTC links must behave the
 * same to the node above them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerLink } from '../core/link.ts';

export interface LinkPair {
  atA: PeerLink;
  atB: PeerLink;
  /** Releases anything the pair holds (peer connections). */
  dispose(): void;
}

const A = 'aa'.repeat(32);
const B = 'bb'.repeat(32);

const nextMessage = (link: PeerLink) => new Promise<Uint8Array>((resolve) => link.onMessage(resolve));
const closed = (link: PeerLink) => new Promise<string>((resolve) => link.onClose(resolve));

export function runPeerLinkContract(name: string, createPair: (a: string, b: string) => Promise<LinkPair>): void {
  describe(`PeerLink contract: ${name}`, () => {
    let pair: LinkPair | undefined;
    afterEach(() => pair?.dispose());

    it('names the remote peer and the direction on each side', async () => {
      pair = await createPair(A, B);
      expect([pair.atA.peerId, pair.atA.direction]).toEqual([B, 'out']);
      expect([pair.atB.peerId, pair.atB.direction]).toEqual([A, 'in']);
    });

    it('delivers bytes exactly, both ways, in order', async () => {
      pair = await createPair(A, B);
      const received: number[][] = [];
      const done = new Promise<void>((resolve) => pair!.atB.onMessage((bytes) => {
        received.push([...bytes]);
        if (received.length === 3) resolve();
      }));
      expect(pair.atA.send(Uint8Array.of(1, 2, 3))).toBe(true);
      pair.atA.send(Uint8Array.of(4));
      pair.atA.send(new Uint8Array(16 * 1024).fill(9));
      await done;
      expect(received[0]).toEqual([1, 2, 3]);
      expect(received[1]).toEqual([4]);
      expect(received[2]!.length).toBe(16 * 1024);
      const back = nextMessage(pair.atA);
      pair.atB.send(Uint8Array.of(7));
      expect([...(await back)]).toEqual([7]);
    });

    it('closing one side closes the other, once, and later sends report false', async () => {
      pair = await createPair(A, B);
      let closeCount = 0;
      pair.atA.onClose(() => closeCount++);
      const remoteClosed = closed(pair.atB);
      pair.atA.close('test done');
      await remoteClosed;
      pair.atA.close('again');
      expect(closeCount).toBe(1);
      expect(pair.atA.send(Uint8Array.of(1))).toBe(false);
      expect(pair.atB.send(Uint8Array.of(1))).toBe(false);
    });

    it('calls a close handler registered after the close', async () => {
      pair = await createPair(A, B);
      pair.atA.close('early');
      expect(await closed(pair.atA)).toBe('early');
    });
  });
}
