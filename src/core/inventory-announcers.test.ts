import { describe, expect, it } from 'vitest';
import type { Frame, InvItem } from './frames.ts';
import { DELIVERY_TIMEOUT_MS, INBOUND_ANNOUNCER_DELAY_MS, MIN_DELIVERY_TIMEOUT_MS, deliveryTimeoutMs, takeNextAnnouncer } from './inventory-announcers.ts';
import { createInventory } from './inventory.ts';
import type { ProtocolContext } from './protocol-context.ts';
import { createStats } from './stats.ts';

const BLOCK = 'ab'.repeat(32);

/** An inventory whose peers O1, O2 we dialled and I1, I2 dialled us; timers run when the test advances the clock. */
function harness(rttMs: Record<string, number> = {}) {
  const sent: { peerId: string; frame: Frame }[] = [];
  const now = { ms: 1_000_000 };
  const timers: { atMs: number; fn: () => void }[] = [];
  const deferred: (() => void)[] = [];
  const stats = createStats();
  const context: ProtocolContext = {
    clock: { nowMs: () => now.ms },
    log: { info: () => undefined, warn: () => undefined },
    send: (peerId, frame) => sent.push({ peerId, frame }) > 0,
    broadcast: () => 0,
    sendModuleFrame: () => false,
    punish: () => undefined,
    count: (name, by = 1) => { stats[name] += by; },
    openPeers: () => ['O1', 'O2', 'I1', 'I2'],
  };
  const inventory = createInventory(context, {
    wants: () => true,
    provide: () => false,
    defer: (fn) => void deferred.push(fn),
    after: (delayMs, fn) => void timers.push({ atMs: now.ms + delayMs, fn }),
    announcer: (peerId) => ({ preferred: peerId.startsWith('O'), ...(rttMs[peerId] !== undefined ? { rttMs: rttMs[peerId] } : {}) }),
  });
  const flush = () => { for (const fn of deferred.splice(0)) fn(); };
  /** Moves the clock on, firing the timers due, then runs the node's tick. */
  const advance = (ms: number) => {
    now.ms += ms;
    for (const timer of timers.filter((one) => one.atMs <= now.ms)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.fn();
    }
    inventory.tick();
    flush();
  };
  const asked = () => sent.filter((entry) => entry.frame.type === 'getData').map((entry) => entry.peerId);
  const inv = (peerId: string, items: InvItem[] = [{ kind: 'block', id: BLOCK }]) => {
    inventory.handleInv(peerId, items);
    flush();
  };
  return { inventory, now, advance, asked, inv, stats };
}

describe('inventory: announcer preference (Bitcoin Core txrequest)', () => {
  it('asks an outbound announcer at once', () => {
    const h = harness();
    h.inv('O1');
    expect(h.asked()).toEqual(['O1']);
  });

  it('waits INBOUND_ANNOUNCER_DELAY_MS before asking an inbound announcer, and asks an outbound one that comes meanwhile', () => {
    const h = harness();
    h.inv('I1');
    expect(h.asked()).toEqual([]);
    expect(h.inventory.isRequested('block', BLOCK)).toBe(true); // being fetched: not started again by I2
    h.inv('I2');
    h.advance(INBOUND_ANNOUNCER_DELAY_MS / 2);
    expect(h.asked()).toEqual([]);
    h.inv('O2');
    expect(h.asked()).toEqual(['O2']);
  });

  it('with only inbound announcers, asks the first once its delay has passed, then the next after the timeout', () => {
    const h = harness();
    h.inv('I1');
    h.advance(100);
    h.inv('I2');
    h.advance(INBOUND_ANNOUNCER_DELAY_MS - 100);
    expect(h.asked()).toEqual(['I1']);
    h.advance(DELIVERY_TIMEOUT_MS + 1);
    expect(h.asked()).toEqual(['I1', 'I2']);
  });

  it('after a timeout, an outbound announcer that came later is asked before inbound ones that came earlier', () => {
    const h = harness();
    h.inv('O1');
    h.inv('I1');
    h.inv('I2');
    h.advance(INBOUND_ANNOUNCER_DELAY_MS + 1);
    h.inv('O2');
    h.advance(DELIVERY_TIMEOUT_MS);
    expect(h.asked()).toEqual(['O1', 'O2']);
  });

  it("moves on after 4 × the asked peer's RTT (1-5 s), not a fixed 5 s", () => {
    const h = harness({ O1: 80 });
    h.inv('O1');
    h.inv('O2');
    h.advance(MIN_DELIVERY_TIMEOUT_MS - 1);
    expect(h.asked()).toEqual(['O1']);
    h.advance(2);
    expect(h.asked()).toEqual(['O1', 'O2']);
    expect(h.stats.fetchRetries).toBe(1);
  });

  it('a request waiting for inbound announcers ends when they all leave', () => {
    const h = harness();
    h.inv('I1');
    h.inventory.forgetPeer('I1');
    expect(h.inventory.isRequested('block', BLOCK)).toBe(false);
  });

  it('an explicit request (sync) asks its peer at once, even one that dialled us', () => {
    const h = harness();
    h.inv('I1');
    h.inventory.request('I2', 'block', BLOCK);
    expect(h.asked()).toEqual(['I2']);
  });
});

describe('announcer order and timeouts', () => {
  it('takes the first ready preferred announcer, else the inbound one ready earliest, else none', () => {
    const list = [
      { peerId: 'I1', preferred: false, readyAtMs: 50 },
      { peerId: 'I2', preferred: false, readyAtMs: 20 },
      { peerId: 'O1', preferred: true, readyAtMs: 60 },
    ];
    expect(takeNextAnnouncer(list, 10)).toBeUndefined();
    expect(takeNextAnnouncer(list, 55)?.peerId).toBe('I2');
    expect(takeNextAnnouncer(list, 60)?.peerId).toBe('O1');
    expect(list.map((one) => one.peerId)).toEqual(['I1']);
  });

  it('scales the timeout with RTT within 1-5 s, and keeps 5 s when the RTT is unknown', () => {
    expect(deliveryTimeoutMs(undefined)).toBe(DELIVERY_TIMEOUT_MS);
    expect(deliveryTimeoutMs(5)).toBe(MIN_DELIVERY_TIMEOUT_MS);
    expect(deliveryTimeoutMs(500)).toBe(2_000);
    expect(deliveryTimeoutMs(3_000)).toBe(DELIVERY_TIMEOUT_MS);
  });
});
