/**
 * A simulator-only node that gossips by flooding, the baseline the
 * announce-and-fetch core is measured against (issue 5, "bandwidth": "a
 * flooding baseline measured in the same run"). Every node pushes every new
 * transaction body (a TX frame, as the core sends) to every neighbour except
 * the one it came from, and drops copies it has already seen. It is a real
 * behaviour of the simulated network, not a formula; the app never runs it.
 *
 * Like the core it verifies a body before relaying it, so an invalid body
 * stops at the first honest node. It has no ledger: balances do not change
 * how many bytes a flood costs.
 */
import { Emitter } from '../core/emitter.ts';
import { encodeFrame, parseFrame } from '../core/frames.ts';
import type { PeerLink } from '../core/link.ts';
import type { NodeEvents } from '../core/node.ts';
import { txId, txVerifyItem, type Tx } from '../core/tx.ts';
import type { PeerId, TxId } from '../core/types.ts';
import type { SimNodeComponents, SimNodeFactory, SimNodeLike } from './sim-node.ts';

export interface FloodSimNode extends SimNodeLike {
  /** Counters named as the core names them, so the same summaries read both. */
  stats(): { txBodiesReceived: number; duplicatesDropped: number; invalidDropped: number; txAccepted: number; bytesIn: number; peers: number };
}

/** Builds a flooding node; pass as SimNetworkInit.nodeFactory. */
export const floodNodeFactory: SimNodeFactory<FloodSimNode> = (components) => createFloodNode(components);

export function createFloodNode({ network, verifier }: Pick<SimNodeComponents, 'network' | 'verifier'>): FloodSimNode {
  const events = new Emitter<NodeEvents>();
  const links = new Map<PeerId, PeerLink>();
  /** Every id received or sent; simulated runs are short, so it is not bounded. */
  const seen = new Set<TxId>();
  const counters = { txBodiesReceived: 0, duplicatesDropped: 0, invalidDropped: 0, txAccepted: 0, bytesIn: 0 };

  function push(tx: Tx, except?: PeerId): void {
    const frame = encodeFrame({ type: 'tx', tx });
    for (const [peerId, link] of links) if (peerId !== except) link.send(frame);
  }

  async function receive(from: PeerId, bytes: Uint8Array): Promise<void> {
    counters.bytesIn += bytes.length;
    const parsed = parseFrame(bytes);
    if (!parsed.ok || parsed.value.type !== 'tx') return;
    const { tx } = parsed.value;
    counters.txBodiesReceived++;
    const id = txId(tx);
    if (seen.has(id)) {
      counters.duplicatesDropped++;
      return;
    }
    seen.add(id);
    const [valid] = await verifier.verify([txVerifyItem(network, tx)]);
    if (!valid) {
      counters.invalidDropped++;
      return;
    }
    counters.txAccepted++;
    events.emit('tx', tx, id, from);
    push(tx, from);
  }

  return {
    events,
    addLink(link) {
      links.set(link.peerId, link);
      link.onMessage((bytes) => void receive(link.peerId, bytes));
      link.onClose(() => {
        if (links.get(link.peerId) === link) links.delete(link.peerId);
      });
    },
    tick: () => undefined,
    stats: () => ({ ...counters, peers: links.size }),
    submitLocalTx(tx) {
      const id = txId(tx);
      seen.add(id);
      events.emit('tx', tx, id, 'self');
      push(tx);
      return { ok: true, value: id };
    },
    close() {
      for (const link of links.values()) link.close('node shutting down');
    },
  };
}
