import { describe, expect, it } from 'vitest';
import { createPrng } from './prng.ts';
import { createScheduler } from './scheduler.ts';
import { createSimLinkPair, type LinkConditions, type SimLinkHost } from './sim-link.ts';

const base: LinkConditions = { latencyMs: 40, jitterMs: 0, lossRate: 0, duplicateRate: 0, ordered: false };

function setup(conditions: Partial<LinkConditions> = {}, canDeliver = () => true) {
  const scheduler = createScheduler();
  const drops: string[] = [];
  const host: SimLinkHost = {
    scheduler,
    canDeliver,
    isBackground: () => false,
    onSend: () => undefined,
    onDeliver: () => undefined,
    onDrop: (_from, _to, _bytes, why) => void drops.push(why),
    onDuplicate: () => undefined,
  };
  const pair = createSimLinkPair(host, createPrng(1), 0, { index: 0, peerId: 'aa' }, { index: 1, peerId: 'bb' }, { ...base, ...conditions });
  const received: { atMs: number; value: number }[] = [];
  pair.atB.onMessage((bytes) => void received.push({ atMs: scheduler.nowMs(), value: bytes[0]! }));
  const send = (count: number) => { for (let i = 0; i < count; i++) pair.atA.send(Uint8Array.of(i % 256)); };
  return { scheduler, pair, received, drops, send };
}

describe('simulated link', () => {
  it('delivers after exactly the latency, in order, and counts messages and bytes', async () => {
    const { scheduler, pair, received, send } = setup();
    send(3);
    await scheduler.runFor(39);
    expect(received).toEqual([]);
    await scheduler.runFor(1);
    expect(received).toEqual([{ atMs: 40, value: 0 }, { atMs: 40, value: 1 }, { atMs: 40, value: 2 }]);
    expect(pair.aToB).toMatchObject({ sent: 3, bytesSent: 3, delivered: 3, bytesDelivered: 3, reordered: 0 });
    expect(pair.atA.peerId).toBe('bb');
    expect(pair.atB.direction).toBe('in');
  });

  it('reorders under jitter unless ordered, and never delivers outside latency..latency+jitter', async () => {
    for (const ordered of [false, true]) {
      const { scheduler, pair, received, send } = setup({ jitterMs: 30, ordered });
      send(200);
      await scheduler.runFor(1_000);
      expect(received).toHaveLength(200);
      const values = received.map((r) => r.value);
      if (ordered) {
        expect(values).toEqual([...values].sort((x, y) => x - y));
        expect(pair.aToB.reordered).toBe(0);
      } else {
        expect(pair.aToB.reordered).toBeGreaterThan(20);
        for (const { atMs } of received) expect(atMs).toBeGreaterThanOrEqual(40);
        for (const { atMs } of received) expect(atMs).toBeLessThanOrEqual(70);
      }
    }
  });

  it('loses and duplicates at about the configured rates', async () => {
    const { scheduler, pair, received, send } = setup({ lossRate: 0.1, duplicateRate: 0.2 });
    send(5_000);
    await scheduler.runFor(100);
    expect(pair.aToB.lost).toBeGreaterThan(400);
    expect(pair.aToB.lost).toBeLessThan(600);
    expect(pair.aToB.duplicated).toBeGreaterThan(800);
    expect(pair.aToB.duplicated).toBeLessThan(1_000);
    expect(received).toHaveLength(5_000 - pair.aToB.lost + pair.aToB.duplicated);
  });

  it('applies faults only to the messages faultsApplyTo selects', async () => {
    const { scheduler, received, send } = setup({ lossRate: 1, faultsApplyTo: (bytes) => bytes[0]! % 2 === 0 });
    send(10);
    await scheduler.runFor(100);
    expect(received.map((r) => r.value)).toEqual([1, 3, 5, 7, 9]);
  });

  it('drops what a partition separates, and closes the far end one latency after a close', async () => {
    let connected = false;
    const { scheduler, pair, received, drops, send } = setup({}, () => connected);
    send(2);
    await scheduler.runFor(50);
    expect(received).toEqual([]);
    expect(drops).toEqual(['partition', 'partition']);
    connected = true;
    const reasons: string[] = [];
    pair.atB.onClose((reason) => void reasons.push(reason));
    send(1);
    pair.atA.close('bye');
    expect(pair.atA.send(Uint8Array.of(9))).toBe(false);
    expect(pair.isOpen()).toBe(false);
    await scheduler.runFor(39);
    expect(reasons).toEqual([]);
    await scheduler.runFor(1);
    expect(reasons).toEqual(['remote closed: bye']);
    expect(received).toEqual([{ atMs: 90, value: 0 }]); // data sent before the close arrives before it

    const next = setup();
    next.send(1);
    next.pair.atB.close('going away'); // the receiving end closes while the message is in flight
    await next.scheduler.runFor(100);
    expect(next.received).toEqual([]);
    expect(next.drops).toEqual(['closed']);
    expect(next.pair.aToB.closedDropped).toBe(1);
  });
});
