/**
 * The outbound proof (chain-sync.ts; issue 20, eclipse with the relay down):
 * a peer we dialled is asked for headers as its link opens and must answer.
 * One that answers nothing is stalled after OUTBOUND_PROOF_MS (the maintainer
 * replaces it) and held off after OUTBOUND_HOLD_OFF_AFTER_MS; one that
 * answers, even with nothing, keeps its slot; a peer that dialled us is
 * asked too (its answer marks it as serving us) but need not answer.
 */
import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { rawPeer } from '../../test/helpers/raw-peer.ts';
import { until } from '../../test/helpers/until.ts';
import { OUTBOUND_HOLD_OFF_AFTER_MS, OUTBOUND_PROOF_MS } from './chain-sync.ts';
import { createFullNode } from './full-node.ts';
import { MemoryChainStore } from './ledger/memory-chain-store.ts';
import type { Frame } from './frames.ts';

const NETWORK = 'test-outbound';
const quiet = { info: () => undefined, warn: () => undefined };
const START_MS = 1_735_689_600_000 + 86_400_000;

async function makeNode() {
  const signer = await testSigner(1);
  const now = { ms: START_MS };
  const full = await createFullNode({ verifier: nodeVerifier, clock: { nowMs: () => now.ms }, log: quiet, store: new MemoryChainStore() }, { network: NETWORK, peerId: signer.peerId });
  const bans: { peerId: string; reason: string }[] = [];
  full.node.events.on('ban', (peerId, reason) => bans.push({ peerId, reason }));
  /** Moves the clock in 1 s steps, ticking, so pings keep the links open. */
  const advance = async (ms: number) => {
    for (let step = 0; step < ms; step += 1_000) {
      now.ms += 1_000;
      full.node.tick();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  return { ...full, signer, bans, advance };
}

const getHeaders = (frames: Frame[]) => frames.filter((frame) => frame.type === 'getHeaders').length;
const stalled = (node: Awaited<ReturnType<typeof makeNode>>, peerId: string) => node.node.peers().find((peer) => peer.id === peerId)?.stalled === true;

describe('outbound proof', () => {
  it('stalls, then holds off, a peer we dialled that answers no headers request; one that answers keeps its slot', async () => {
    const node = await makeNode();
    const tip = node.ledger.tip();
    const [silentSigner, honestSigner, inboundSigner] = [await testSigner(2), await testSigner(3), await testSigner(4)];
    // Both share our tip, so nothing but the proof would ask them for headers.
    const silent = rawPeer(node.node, node.signer.peerId, silentSigner, NETWORK, tip, { dialler: 'node' });
    const honest = rawPeer(node.node, node.signer.peerId, honestSigner, NETWORK, tip, { dialler: 'node' });
    const inbound = rawPeer(node.node, node.signer.peerId, inboundSigner, NETWORK, tip);
    await until(() => node.node.peers().length === 3, 'three hellos');
    await until(() => [silent, honest, inbound].every((peer) => getHeaders(peer.received) === 1), 'a headers request to each new link');
    honest.send({ type: 'headers', headers: [] }); // on our chain: nothing to send, and that is an answer

    await node.advance(OUTBOUND_PROOF_MS + 1_000);
    expect(stalled(node, silentSigner.peerId)).toBe(true);
    expect(stalled(node, honestSigner.peerId)).toBe(false);
    expect(stalled(node, inboundSigner.peerId)).toBe(false);
    const answered = (peerId: string) => node.node.peers().find((peer) => peer.id === peerId)?.answered === true;
    expect([silentSigner, honestSigner, inboundSigner].map((signer) => answered(signer.peerId))).toEqual([false, true, false]);
    expect(node.bans).toEqual([]);

    await node.advance(OUTBOUND_HOLD_OFF_AFTER_MS);
    expect(node.bans.map((ban) => ban.peerId)).toEqual([silentSigner.peerId]);
    expect(node.bans[0]!.reason).toMatch(/a peer we dialled answered no headers request/);
    expect(node.node.peers().map((peer) => peer.id).sort()).toEqual([honestSigner.peerId, inboundSigner.peerId].sort());
  });
});
