/**
 * A hand-driven peer for node tests: it says HELLO and answers pings like an
 * honest peer, records every frame it receives, and otherwise sends exactly
 * what the test tells it to — including what an honest peer never would.
 */
import { isBundle, splitBundle } from '../../src/core/frame-bundle.ts';
import { encodeFrame, invId, parseFrame, type Frame } from '../../src/core/frames.ts';
import { blockHash } from '../../src/core/ledger/block.ts';
import type { BlockHeader } from '../../src/core/ledger/types.ts';
import type { TabmeshNode } from '../../src/core/node.ts';
import { Feature, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN, type ProtocolRange } from '../../src/core/protocol-version.ts';
import { txId, type Tx } from '../../src/core/tx.ts';
import type { Signer } from '../../src/core/types.ts';
import { createMemoryLinkPair } from '../../src/net/memory-link.ts';

/** What the raw peer's HELLO carries as its identity stamp: its signer's unless told otherwise ('none' sends none). */
export interface RawPeerInit {
  identityStamp?: number | 'none';
  /** The protocol range its HELLO advertises: this build's, with every defined feature, unless told otherwise (a HELLO without a stamp carries none). */
  protocol?: ProtocolRange;
  /**
   * Which end dialled. Default 'peer': the raw peer links to the node (inbound there). 'node': the node dialled
   * it (outbound there), and so asks it for headers at once and holds it off if it never answers (chain-sync.ts).
   */
  dialler?: 'peer' | 'node';
}

export function rawPeer(node: TabmeshNode, nodeId: string, self: Signer, network: string, tip: { height: number; hash: string }, init: RawPeerInit = {}) {
  const nodeDialled = init.dialler === 'node';
  const pair = nodeDialled ? createMemoryLinkPair(nodeId, self.peerId) : createMemoryLinkPair(self.peerId, nodeId);
  const [nodeEnd, link] = nodeDialled ? [pair.atA, pair.atB] : [pair.atB, pair.atA];
  const received: Frame[] = [];
  /** Bodies this peer hands out when asked (GETDATA), by the id the request carries: a TX or a compact BLOCK frame. */
  const offered = new Map<string, Frame>();
  const send = (frame: Frame) => link.send(encodeFrame(frame));
  link.onMessage((message) => {
    const frames = isBundle(message) ? splitBundle(message) : { ok: true as const, value: [message] };
    if (frames.ok) for (const bytes of frames.value) handle(bytes);
  });
  function handle(bytes: Uint8Array): void {
    const parsed = parseFrame(bytes);
    if (!parsed.ok) return;
    received.push(parsed.value);
    const frame = parsed.value;
    if (frame.type === 'ping') send({ type: 'pong', nonce: frame.nonce });
    if (frame.type === 'getData') {
      for (const item of frame.items) {
        const body = offered.get(item.id);
        if (body) send(body);
      }
    }
  }
  node.addLink(nodeEnd);
  const stamp = init.identityStamp ?? self.identityStamp;
  const protocol = init.protocol ?? { min: PROTOCOL_VERSION_MIN, max: PROTOCOL_VERSION_MAX, features: Feature.txTrace };
  send({ type: 'hello', network, peerId: self.peerId, tipHeight: tip.height, tipHash: tip.hash, userAgent: 'raw-peer', ...(stamp === 'none' ? {} : { identityStamp: stamp, protocol }) });
  return {
    link,
    received,
    send,
    sendBytes: (bytes: Uint8Array) => link.send(bytes),
    /** Announces `tx` by (short) id; its body goes out when the node asks for it (the id is the body's, whatever it contains). */
    offerTx(tx: Tx, announcedId = txId(tx)): void {
      offered.set(invId('tx', announcedId), { type: 'tx', tx });
      send({ type: 'inv', items: [{ kind: 'tx', id: invId('tx', announcedId) }] });
    },
    /** Announces a block by hash; its compact form goes out when the node asks for it. */
    offerBlock(header: BlockHeader, shortIds: string[] = []): void {
      const hash = blockHash(header);
      offered.set(hash, { type: 'block', header, shortIds });
      send({ type: 'inv', items: [{ kind: 'block', id: hash }] });
    },
    closed: new Promise<string>((resolve) => link.onClose(resolve)),
  };
}
