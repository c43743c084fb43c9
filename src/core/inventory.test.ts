import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { rawPeer } from '../../test/helpers/raw-peer.ts';
import { until } from '../../test/helpers/until.ts';
import { FRAME_VERSION, invId, type Frame, type InvItem } from './frames.ts';
import { createFullNode } from './full-node.ts';
import { DELIVERY_TIMEOUT_MS, PREEMPT_UNPROVEN_BLOCK_MS, PREEMPT_UNPROVEN_MS, STALLED_HOLD_OFF_AFTER_MS, STALLED_HOLD_OFF_MS, SIGNER_NEIGHBOUR_HOLD_MS, SIGNER_NEIGHBOUR_LATE_HOLD_MS, TX_ANNOUNCE_DELAY_MS, createInventory } from './inventory.ts';
import { MemoryChainStore } from './ledger/memory-chain-store.ts';
import type { ProtocolContext } from './protocol-context.ts';
import type { ProtocolModuleFactory } from './protocol-module.ts';
import { accept } from './result.ts';
import { createStats } from './stats.ts';
import { signTx, txId } from './tx.ts';

const quiet = { info: () => undefined, warn: () => undefined };
/** Full ids that share their first 8 bytes: the collision an attacker can grind for its own transactions. */
const COLLIDING = ['ab'.repeat(8) + '01'.repeat(24), 'ab'.repeat(8) + '02'.repeat(24)] as const;
const OTHER = 'cd'.repeat(32);
const THIRD = 'ef'.repeat(32);
/** A module frame type for the starved-queue test. */
const SLOW_FRAME = 0x3f;

/** An inventory over a recording context: frames sent, punishments, a clock and a set of bodies "we have". */
function harness(peers = ['A', 'B', 'C'], options: { timer?: boolean; busy?: () => boolean; linked?: (a: string, b: string) => boolean; selfId?: string; announcerStanding?: boolean } = {}) {
  const sent: { peerId: string; frame: Frame }[] = [];
  const provided: { peerId: string; id: string }[] = [];
  const punished: { peerId: string; reason: string }[] = [];
  const heldOff: { peerId: string; reason: string }[] = [];
  const stats = createStats();
  const now = { ms: 1_000_000 };
  const have = new Set<string>();
  const deferred: (() => void)[] = [];
  const timers: { delayMs: number; fn: () => void }[] = [];
  const context: ProtocolContext = {
    clock: { nowMs: () => now.ms },
    log: quiet,
    send: (peerId, frame) => sent.push({ peerId, frame }) > 0,
    broadcast: () => 0,
    sendModuleFrame: () => false,
    punish: (peerId, reason) => void punished.push({ peerId, reason }),
    holdOff: (peerId, reason) => void heldOff.push({ peerId, reason }),
    count: (name, by = 1) => { stats[name] += by; },
    openPeers: () => peers,
  };
  const inventory = createInventory(context, {
    wants: (_kind, id) => !have.has(id),
    provide: (_kind, id, peerId) => have.has(id) && provided.push({ peerId, id }) > 0,
    defer: (fn) => void deferred.push(fn),
    ...(options.timer ? { after: (delayMs: number, fn: () => void) => void timers.push({ delayMs, fn }) } : {}),
    ...(options.busy ? { busy: options.busy } : {}),
    ...(options.linked ? { linked: options.linked } : {}),
    ...(options.selfId ? { selfId: options.selfId } : {}),
    ...(options.announcerStanding === false ? { announcerStanding: false } : {}),
  });
  const flush = () => { for (const fn of deferred.splice(0)) fn(); };
  /** Fires the timers set so far (the announcement delay has passed), then runs the batch they queued. */
  const elapse = () => {
    for (const { fn } of timers.splice(0)) fn();
    flush();
  };
  const framesTo = (peerId: string, type: Frame['type']) =>
    sent.filter((entry) => entry.peerId === peerId && entry.frame.type === type).map((entry) => (entry.frame as { items: InvItem[] }).items);
  const tx = (id: string): InvItem => ({ kind: 'tx', id: invId('tx', id) });
  return { inventory, sent, provided, punished, heldOff, stats, now, have, flush, elapse, timers, framesTo, tx };
}

describe('inventory: the transaction announcement delay', () => {
  it('holds transaction announcements for TX_ANNOUNCE_DELAY_MS and sends them in one INV per peer; blocks leave at once', () => {
    const h = harness(['A', 'B'], { timer: true });
    h.inventory.announce('tx', COLLIDING[0]);
    h.inventory.announce('block', OTHER);
    h.flush();
    expect(h.framesTo('A', 'inv')).toEqual([[{ kind: 'block', id: OTHER }]]);
    h.inventory.announce('tx', OTHER);
    // One timer for the whole delay, however many announcements join it.
    expect(h.timers.map((timer) => timer.delayMs)).toEqual([TX_ANNOUNCE_DELAY_MS]);
    h.elapse();
    for (const peer of ['A', 'B']) expect(h.framesTo(peer, 'inv')).toEqual([[{ kind: 'block', id: OTHER }], [h.tx(COLLIDING[0]), h.tx(OTHER)]]);
    expect(h.stats.invSent).toBe(6);
  });

  it('does not announce a transaction to a peer that announced it first during the delay', () => {
    const h = harness(['A', 'B'], { timer: true });
    h.inventory.announce('tx', OTHER);
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.elapse();
    expect(h.framesTo('A', 'inv')).toEqual([]);
    expect(h.framesTo('B', 'inv')).toEqual([[h.tx(OTHER)]]);
    expect(h.stats.announcementsAvoided).toBe(1);
    // Counted as delayed: only the announcement that was sent after the delay.
    expect(h.stats.announcementsDelayed).toBe(1);
  });

  it('announces at once while the page is calm, and delays (joining a running delay) while it is busy', () => {
    let busy = false;
    const h = harness(['A'], { timer: true, busy: () => busy });
    h.inventory.announce('tx', COLLIDING[0]);
    h.flush();
    expect(h.framesTo('A', 'inv')).toEqual([[h.tx(COLLIDING[0])]]);
    expect(h.timers).toHaveLength(0);
    busy = true;
    h.inventory.announce('tx', THIRD);
    busy = false;
    // The page is calm again, but a delay is running: this one joins it rather than overtake it.
    h.inventory.announce('tx', OTHER);
    h.flush();
    expect(h.framesTo('A', 'inv')).toHaveLength(1);
    h.elapse();
    expect(h.framesTo('A', 'inv')).toEqual([[h.tx(COLLIDING[0])], [h.tx(THIRD), h.tx(OTHER)]]);
  });

  it('drops what was waiting for a peer that left during the delay', () => {
    const h = harness(['A', 'B'], { timer: true });
    h.inventory.announce('tx', OTHER);
    h.inventory.forgetPeer('A');
    h.elapse();
    expect(h.framesTo('A', 'inv')).toEqual([]);
    expect(h.framesTo('B', 'inv')).toEqual([[h.tx(OTHER)]]);
  });
});

describe("inventory: announcements to the signer's neighbours wait for its push", () => {
  /** Peer records: S (the signer) is linked to A and B, not to C. */
  const linked = (a: string, b: string) => [a, b].includes('S') && [a, b].some((id) => id === 'A' || id === 'B');

  it('holds a transaction announcement to a peer linked to its signer for SIGNER_NEIGHBOUR_HOLD_MS; the rest go at once', () => {
    const h = harness(['A', 'B', 'C'], { timer: true, busy: () => false, linked });
    h.inventory.announce('tx', OTHER, undefined, 'S');
    h.flush();
    expect(h.framesTo('C', 'inv')).toEqual([[h.tx(OTHER)]]);
    expect(h.framesTo('A', 'inv')).toEqual([]);
    expect(h.timers.map((timer) => timer.delayMs)).toEqual([SIGNER_NEIGHBOUR_HOLD_MS]);
    h.elapse();
    // The push was lost or late: the announcement still goes, later.
    for (const peer of ['A', 'B']) expect(h.framesTo(peer, 'inv')).toEqual([[h.tx(OTHER)]]);
    expect(h.stats.announcementsHeldForSigner).toBe(2);
  });

  it("cancels the held announcement to a signer's neighbour that announces the transaction first", () => {
    const h = harness(['A', 'B'], { timer: true, busy: () => false, linked });
    h.inventory.announce('tx', OTHER, undefined, 'S');
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.inventory.forgetPeer('B');
    h.elapse();
    expect(h.framesTo('A', 'inv')).toEqual([]);
    expect(h.framesTo('B', 'inv')).toEqual([]);
    expect(h.stats.announcementsAvoided).toBe(1);
    expect(h.stats.announcementsHeldForSigner).toBe(0);
  });

  it("of two signer's neighbours, the higher id holds twice as long, so the lower one's announcement cancels it", () => {
    // S is linked to A, Z and M (this node); A < M < Z.
    const linkedToS = (a: string, b: string) => [a, b].includes('S') && [a, b].some((id) => ['A', 'Z', 'M'].includes(id));
    const h = harness(['A', 'Z'], { timer: true, busy: () => false, linked: linkedToS, selfId: 'M' });
    h.inventory.announce('tx', OTHER, undefined, 'S');
    h.flush();
    expect(h.timers.map((timer) => timer.delayMs).sort((x, y) => x - y)).toEqual([SIGNER_NEIGHBOUR_HOLD_MS, SIGNER_NEIGHBOUR_LATE_HOLD_MS]);
    // A (lower than M) announces first, at the end of its own shorter hold: ours to A is cancelled.
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.elapse();
    expect(h.framesTo('A', 'inv')).toEqual([]);
    // To Z (higher than M) we are the earlier one, and announce after SIGNER_NEIGHBOUR_HOLD_MS.
    expect(h.framesTo('Z', 'inv')).toEqual([[h.tx(OTHER)]]);
    expect(h.stats.announcementsAvoided).toBe(1);
  });

  it('without peer records (or for a block) nothing waits for a signer', () => {
    const h = harness(['A'], { timer: true, busy: () => false });
    h.inventory.announce('tx', OTHER, undefined, 'S');
    h.inventory.announce('block', THIRD);
    h.flush();
    expect(h.framesTo('A', 'inv')).toEqual([[h.tx(OTHER), { kind: 'block', id: THIRD }]]);
    expect(h.timers).toHaveLength(0);
  });
});

describe('inventory: short ids and batching', () => {
  it('announces a transaction by its 8-byte short id and a block by its hash, one INV per peer per task', () => {
    const h = harness(['A']);
    h.inventory.announce('tx', COLLIDING[0]);
    h.inventory.announce('tx', OTHER);
    h.inventory.announce('block', OTHER);
    h.flush();
    expect(h.framesTo('A', 'inv')).toEqual([[h.tx(COLLIDING[0]), h.tx(OTHER), { kind: 'block', id: OTHER }]]);
  });

  it('asks one peer for everything it announced in one task with a single GETDATA', () => {
    const h = harness();
    h.inventory.handleInv('A', [h.tx(COLLIDING[0]), h.tx(OTHER)]);
    h.inventory.handleInv('A', [{ kind: 'block', id: OTHER }]);
    h.flush();
    expect(h.framesTo('A', 'getData')).toEqual([[h.tx(COLLIDING[0]), h.tx(OTHER), { kind: 'block', id: OTHER }]]);
    expect(h.stats.getDataSent).toBe(3);
  });

  it('sends an explicit request (sync) before returning, so a frame sent next follows it', () => {
    const h = harness();
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.inventory.request('A', 'block', OTHER);
    expect(h.framesTo('A', 'getData')).toEqual([[h.tx(OTHER), { kind: 'block', id: OTHER }]]);
    h.flush();
    expect(h.framesTo('A', 'getData')).toHaveLength(1);
  });

  it('serves a GETDATA by short id with the full id it announced, and NOTFOUND for a short id it never saw', () => {
    const h = harness(['A']);
    h.have.add(OTHER);
    h.inventory.announce('tx', OTHER);
    const unknown = h.tx('ee'.repeat(32));
    return h.inventory.handleGetData('A', [h.tx(OTHER), unknown]).then(() => {
      expect(h.provided).toEqual([{ peerId: 'A', id: OTHER }]);
      expect(h.framesTo('A', 'notFound')).toEqual([[unknown]]);
    });
  });

  it('does not fetch an announced short id it holds from storage', () => {
    const h = harness();
    h.have.add(OTHER);
    h.inventory.remember('tx', [OTHER]);
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.flush();
    expect(h.framesTo('A', 'getData')).toEqual([]);
    expect(h.stats.duplicateInv).toBe(1);
  });
});

describe('inventory: short-id collisions (docs/SECURITY.md, "Short transaction ids")', () => {
  it('accepts a body whose short id matches the request but whose full id differs, without punishment', () => {
    const h = harness();
    h.inventory.announce('tx', COLLIDING[0]); // we once saw the first of the pair
    h.inventory.handleInv('A', [h.tx(COLLIDING[1])]);
    h.flush();
    expect(h.framesTo('A', 'getData')).toEqual([[h.tx(COLLIDING[1])]]);
    expect(h.inventory.delivered('A', 'tx', COLLIDING[1])).toBe(true);
    expect(h.punished).toEqual([]);
  });

  it('a node holding one of two colliding transactions does not fetch the other; a different short id is still fetched', () => {
    const h = harness();
    h.have.add(COLLIDING[0]);
    h.inventory.remember('tx', [COLLIDING[0]]);
    h.inventory.handleInv('A', [h.tx(COLLIDING[1]), h.tx(OTHER)]);
    h.flush();
    expect(h.framesTo('A', 'getData')).toEqual([[h.tx(OTHER)]]);
  });

  it('refetches a short id whose only known body was refused (an invalid colliding body cannot block the real one)', () => {
    const h = harness();
    h.inventory.handleInv('A', [h.tx(COLLIDING[0])]);
    h.flush();
    expect(h.inventory.delivered('A', 'tx', COLLIDING[1])).toBe(true); // A sent a colliding body, which the relay then refused
    h.inventory.handleInv('B', [h.tx(COLLIDING[0])]);
    h.flush();
    expect(h.framesTo('B', 'getData')).toEqual([[h.tx(COLLIDING[0])]]);
  });
});

describe('inventory: slow peers are retried elsewhere, withholders and spammers are punished', () => {
  it('a starved receiver: the announcer keeps talking but its body waits in our queue; no punishment, retry, late body accepted', () => {
    const h = harness();
    const id = COLLIDING[0];
    h.inventory.handleInv('A', [h.tx(id)]);
    h.inventory.handleInv('B', [h.tx(id)]);
    h.flush();
    // Frames A sent before our request reached it are handled long after it (our queue is behind): it "kept talking".
    h.now.ms += DELIVERY_TIMEOUT_MS - 1;
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.flush();
    h.now.ms += 2;
    h.inventory.tick();
    h.flush();
    expect(h.punished).toEqual([]);
    expect(h.framesTo('B', 'getData')).toEqual([[h.tx(id)]]);
    expect(h.stats.fetchRetries).toBe(1);
    // A's body, queued all along, is handled at last: asked for, so not unsolicited.
    expect(h.inventory.delivered('A', 'tx', id)).toBe(true);
    expect(h.inventory.isRequested('tx', id)).toBe(false);
    // B's answer to the retry may follow; it was asked too.
    expect(h.inventory.delivered('B', 'tx', id)).toBe(true);
    expect(h.punished).toEqual([]);
  });

  it('a slow announcer with nobody else to ask: the request lapses without punishment and its late body is still accepted', () => {
    const h = harness();
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.flush();
    h.now.ms += 3 * DELIVERY_TIMEOUT_MS;
    h.inventory.tick();
    expect(h.inventory.isRequested('tx', OTHER)).toBe(false);
    expect(h.inventory.delivered('A', 'tx', OTHER)).toBe(true);
    expect(h.punished).toEqual([]);
  });

  it('punishes an announcer that answered a later GETDATA but never delivered nor NOTFOUNDed an earlier one', () => {
    const h = harness();
    h.inventory.handleInv('A', [h.tx(COLLIDING[0])]);
    h.flush();
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.flush();
    expect(h.framesTo('A', 'getData')).toHaveLength(2);
    expect(h.inventory.delivered('A', 'tx', OTHER)).toBe(true); // answers the later request, skips the first
    h.now.ms += DELIVERY_TIMEOUT_MS + 1;
    h.inventory.tick();
    expect(h.punished).toEqual([{ peerId: 'A', reason: expect.stringMatching(/did not deliver it, though it answered later requests/) }]);
  });

  it('does not punish for items of the same GETDATA answered out of order (NOTFOUND follows the bodies)', () => {
    const h = harness();
    h.inventory.handleInv('A', [h.tx(COLLIDING[0]), h.tx(OTHER)]);
    h.flush();
    expect(h.inventory.delivered('A', 'tx', OTHER)).toBe(true);
    h.now.ms += DELIVERY_TIMEOUT_MS + 1;
    h.inventory.tick();
    expect(h.punished).toEqual([]);
  });

  it('NOTFOUND moves the request on at once, and counts as an answer', () => {
    const h = harness();
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.inventory.handleInv('B', [h.tx(OTHER)]);
    h.flush();
    h.inventory.handleNotFound('A', [h.tx(OTHER)]);
    h.flush();
    expect(h.framesTo('B', 'getData')).toEqual([[h.tx(OTHER)]]);
    h.now.ms += DELIVERY_TIMEOUT_MS + 1;
    h.inventory.tick();
    expect(h.punished).toEqual([]); // B answered nothing later: it is only slow
  });

  it('a body nobody asked for stays unsolicited (the relay punishes), also from a peer asked for something else', () => {
    const h = harness();
    expect(h.inventory.delivered('C', 'tx', OTHER)).toBe(false);
    h.inventory.handleInv('A', [h.tx(COLLIDING[0])]);
    h.flush();
    expect(h.inventory.delivered('B', 'tx', COLLIDING[0])).toBe(false);
    expect(h.inventory.delivered('A', 'tx', OTHER)).toBe(false);
    // Once delivered, a second copy from the same peer is no longer asked for.
    expect(h.inventory.delivered('A', 'tx', COLLIDING[0])).toBe(true);
    expect(h.inventory.delivered('A', 'tx', COLLIDING[0])).toBe(false);
  });
});

describe('inventory: announcers that never deliver (docs/SECURITY.md, "Announce and never deliver")', () => {
  const block = (id: string): InvItem => ({ kind: 'block', id });

  it('a request waiting on a stalled announcer moves as soon as another announces the item', () => {
    const h = harness();
    h.inventory.handleInv('A', [h.tx(THIRD)]);
    h.flush();
    h.now.ms += DELIVERY_TIMEOUT_MS + 1; // A has left THIRD unanswered: stalled
    expect(h.inventory.isStalled('A')).toBe(true);
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.flush();
    h.inventory.handleInv('B', [h.tx(OTHER)]);
    h.flush();
    expect(h.framesTo('B', 'getData')).toEqual([[h.tx(OTHER)]]);
    // A's body, if it ever comes, is late rather than unsolicited.
    expect(h.inventory.delivered('A', 'tx', OTHER)).toBe(true);
    expect(h.punished).toEqual([]);
  });

  it('a request waiting on an announcer that never answered moves to one that has, after PREEMPT_UNPROVEN_MS', () => {
    const h = harness();
    h.inventory.handleInv('B', [h.tx(THIRD)]);
    h.flush();
    expect(h.inventory.delivered('B', 'tx', THIRD)).toBe(true); // B has answered us
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.inventory.handleInv('B', [h.tx(OTHER)]);
    h.flush();
    expect(h.framesTo('A', 'getData')).toEqual([[h.tx(OTHER)]]);
    h.now.ms += PREEMPT_UNPROVEN_MS - 1;
    h.inventory.tick();
    h.flush();
    expect(h.framesTo('B', 'getData')).toEqual([[h.tx(THIRD)]]);
    h.now.ms += 2;
    h.inventory.tick();
    h.flush();
    expect(h.framesTo('B', 'getData')).toEqual([[h.tx(THIRD)], [h.tx(OTHER)]]);
  });

  it('a block waiting on an announcer that never answered is asked of the next after PREEMPT_UNPROVEN_BLOCK_MS; the first answer ends it', () => {
    const h = harness(['A', 'B', 'C'], { timer: true });
    h.inventory.handleInv('A', [block(OTHER)]);
    h.inventory.handleInv('B', [block(OTHER)]);
    h.flush();
    expect(h.framesTo('A', 'getData')).toEqual([[block(OTHER)]]);
    expect(h.framesTo('B', 'getData')).toEqual([]);
    expect(h.timers.map((timer) => timer.delayMs)).toEqual([PREEMPT_UNPROVEN_BLOCK_MS]);
    h.now.ms += PREEMPT_UNPROVEN_BLOCK_MS;
    h.elapse();
    expect(h.framesTo('B', 'getData')).toEqual([[block(OTHER)]]);
    expect(h.inventory.delivered('B', 'block', OTHER)).toBe(true);
    expect(h.inventory.isRequested('block', OTHER)).toBe(false);
    // A's answer, if it comes, was asked for.
    expect(h.inventory.delivered('A', 'block', OTHER)).toBe(true);
    h.have.add(OTHER);
    h.inventory.handleInv('C', [block(OTHER)]);
    h.flush();
    expect(h.framesTo('C', 'getData')).toEqual([]);
  });

  it('with announcerStanding off (the attack bench\'s ablation), a block waits on its first announcer', () => {
    const h = harness(['A', 'B'], { timer: true, announcerStanding: false });
    h.inventory.handleInv('A', [block(OTHER)]);
    h.inventory.handleInv('B', [block(OTHER)]);
    h.flush();
    h.now.ms += DELIVERY_TIMEOUT_MS;
    h.elapse();
    h.inventory.tick();
    h.flush();
    expect(h.framesTo('B', 'getData')).toEqual([]);
    expect(h.inventory.isStalled('A')).toBe(false);
  });

  it('an announcer that answers in time keeps its block request: a calm network fetches each block once', () => {
    const h = harness(['A', 'B'], { timer: true });
    h.inventory.handleInv('A', [block(THIRD)]);
    h.inventory.handleInv('B', [block(THIRD)]);
    h.flush();
    h.now.ms += 100;
    expect(h.inventory.delivered('A', 'block', THIRD)).toBe(true);
    h.now.ms += PREEMPT_UNPROVEN_BLOCK_MS;
    h.elapse();
    h.inventory.tick();
    h.flush();
    expect(h.framesTo('B', 'getData')).toEqual([]);
  });

  it('holds off, without a ban, a peer that has answered none of our requests for STALLED_HOLD_OFF_AFTER_MS', () => {
    const h = harness();
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.inventory.handleInv('B', [h.tx(THIRD)]);
    h.flush();
    h.now.ms += STALLED_HOLD_OFF_AFTER_MS - 1_000;
    h.inventory.handleNotFound('B', [h.tx(THIRD)]); // B answers, late but it answers
    h.now.ms += 2_000;
    h.inventory.tick();
    expect(h.heldOff).toEqual([{ peerId: 'A', reason: `answered none of our requests for ${(STALLED_HOLD_OFF_AFTER_MS + 1_000) / 1000} s` }]);
    expect(h.punished).toEqual([]);
    expect(STALLED_HOLD_OFF_MS).toBeLessThan(10 * 60_000);
  });
});

describe('inventory: pushing our own transactions', () => {
  it('sends the body to every peer that does not know it, unannounced, and never announces it to them after', () => {
    const h = harness(['A', 'B', 'C']);
    h.inventory.handleInv('C', [h.tx(OTHER)]);
    h.flush();
    const pushedTo: string[] = [];
    h.inventory.pushTx(OTHER, (peerId) => pushedTo.push(peerId) > 0);
    // C announced it, so it has it: only A and B get the body.
    expect(pushedTo).toEqual(['A', 'B']);
    expect(h.stats.txPushed).toBe(2);
    h.inventory.announce('tx', OTHER);
    h.flush();
    expect(h.framesTo('A', 'inv')).toEqual([]);
    expect(h.framesTo('B', 'inv')).toEqual([]);
    expect(h.stats.announcementsAvoided).toBe(3);
  });

  it('a pushed body ends the request to another announcer, whose answer is then late, not unsolicited', () => {
    const h = harness(['A', 'B']);
    h.inventory.handleInv('A', [h.tx(OTHER)]);
    h.flush();
    expect(h.inventory.isRequested('tx', OTHER)).toBe(true);
    expect(h.inventory.delivered('B', 'tx', OTHER)).toBe(false);
    h.inventory.acceptPushed('B', OTHER);
    expect(h.inventory.isRequested('tx', OTHER)).toBe(false);
    // No retry after the timeout: the request is over.
    h.now.ms += DELIVERY_TIMEOUT_MS + 1;
    h.inventory.tick();
    expect(h.stats.fetchRetries).toBe(0);
    expect(h.inventory.delivered('A', 'tx', OTHER)).toBe(true);
    expect(h.punished).toEqual([]);
  });
});

describe('inventory in a node whose frame queue is starved (docs/SECURITY.md, "Announce and fetch: slow is not malicious")', () => {
  it('neither the slow announcer nor its late body is punished; the request is retried elsewhere and the body admitted', async () => {
    const signer = await testSigner(1);
    const now = { ms: 1_735_689_600_000 + 86_400_000 };
    // A frame whose handler takes long holds every later frame of its link in the in-order queue, as a
    // block's store commit or a main thread busy elsewhere does in a starved tab.
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const slowHandler: ProtocolModuleFactory = () => ({
      name: 'slow-handler', frames: { [SLOW_FRAME]: { name: 'SLOW', maxPayloadBytes: 0 } }, decode: () => accept(undefined), handle: () => gate,
    });
    const { node } = await createFullNode({ verifier: nodeVerifier, clock: { nowMs: () => now.ms }, log: quiet, store: new MemoryChainStore(), modules: [slowHandler] }, { network: 'test', peerId: signer.peerId });
    const [slowSigner, otherSigner] = [await testSigner(2), await testSigner(3)];
    const genesis = { height: 0, hash: '00'.repeat(32) };
    const slow = rawPeer(node, signer.peerId, slowSigner, 'test', genesis);
    const other = rawPeer(node, signer.peerId, otherSigner, 'test', genesis);
    await until(() => node.peers().length === 2, 'both links');
    const tx = await signTx('test', { from: slowSigner.peerId, to: signer.peerId, amount: 5, fee: 1, nonce: 0 }, slowSigner);
    // INV, then the slow frame: the node asks at once, and the body it gets back waits behind the slow frame.
    slow.offerTx(tx);
    slow.sendBytes(Uint8Array.of(FRAME_VERSION, SLOW_FRAME));
    other.offerTx(tx);
    await until(() => slow.received.some((frame) => frame.type === 'getData') && node.stats().invReceived === 2, 'the request and both announcements');
    // Bytes keep arriving from the slow peer after its body (which it sent on the GETDATA, before these pings).
    for (let i = 0; i < 3; i++) slow.send({ type: 'ping', nonce: i + 1 });
    await until(() => slow.received.filter((frame) => frame.type === 'pong').length === 3, 'the pings to be answered');
    now.ms += DELIVERY_TIMEOUT_MS + 1;
    node.tick();
    await until(() => other.received.some((frame) => frame.type === 'getData'), 'the retry with the other announcer');
    await until(() => node.stats().txBodiesReceived === 1, "the other announcer's body");
    expect(node.knowsTx(txId(tx))).toBe(true);
    expect(node.bans()).toEqual([]);
    release();
    await until(() => node.stats().txBodiesReceived === 2, 'the slow body, handled at last');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(node.bans()).toEqual([]);
    expect(node.peers()).toHaveLength(2);
    expect(node.knowsTx(txId(tx))).toBe(true);
    expect(node.stats().duplicatesDropped).toBe(1);
  });
});
