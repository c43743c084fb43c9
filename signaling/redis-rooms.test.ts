/**
 * Relays that share rooms through a real redis-server (started here on a free
 * loopback port): two relay processes' worth of servers in one test process,
 * clients on different relays finding and signalling each other, garbage on
 * the bus rejected and counted, and Redis killed and restarted under them.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/core/result.ts';
import type { RelayServer } from './relay-server.ts';
import { startRedisServer, type RedisTestServer } from './redis-test-server.ts';
import { createRelayHarness } from '../test/helpers/relay-test-client.ts';

const harness = createRelayHarness();
const { log } = harness;
let redis: RedisTestServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  await harness.cleanup();
  await redis.restart(); // a test that killed it leaves it running again for the next
  const client = new Redis(redis.url);
  expect(await client.dbsize()).toBe(0); // every relay removed its members on close
  await client.quit();
});

/** Short refresh and expiry so a restart is repaired within a second. */
const shared = { redis: { refreshMs: 200, ttlMs: 2_000 } };

async function twoRelays(): Promise<Array<{ relay: RelayServer; url: string }>> {
  const relays = [await harness.start({ ...shared, redisUrl: redis.url }), await harness.start({ ...shared, redisUrl: redis.url })];
  for (const { relay } of relays) await expect.poll(() => relay.stats().redis?.state, { timeout: 5_000 }).toBe('shared');
  return relays;
}

/** Frames until one of `type` arrives (announcements may come first). */
async function nextOfType(client: Awaited<ReturnType<typeof harness.join>>['client'], type: string) {
  for (let i = 0; i < 10; i++) {
    const frame = await client.next(3_000);
    if (frame.type === type) return frame;
  }
  throw new Error(`no ${type} frame`);
}

describe('relays sharing rooms through Redis', () => {
  it('two clients on different relays see each other in their welcome and exchange signals both ways', async () => {
    const [one, two] = await twoRelays();
    const a = await harness.join(one!.url);
    const b = await harness.join(two!.url);
    expect(b.welcome.peers).toEqual([a.id.peerId]);
    expect(await a.client.next(3_000)).toEqual({ type: 'peer-joined', peerId: b.id.peerId });
    b.client.signal(a.id.peerId, 'offer-across');
    expect(await a.client.next(3_000)).toEqual({ type: 'signal', from: b.id.peerId, data: 'offer-across' });
    a.client.signal(b.id.peerId, 'answer-across');
    expect(await b.client.next(3_000)).toEqual({ type: 'signal', from: a.id.peerId, data: 'answer-across' });
    // Rooms stay separate across relays too.
    const other = await harness.join(two!.url, 'other');
    expect(other.welcome.peers).toEqual([]);
    other.client.signal(a.id.peerId, 'cross-room');
    expect(await other.client.next(3_000)).toEqual({ type: 'peer-left', peerId: a.id.peerId });
  });

  it('a member that leaves one relay is gone for the other: its signal gets peer-left', async () => {
    const [one, two] = await twoRelays();
    const a = await harness.join(one!.url);
    const b = await harness.join(two!.url);
    await a.client.close();
    await expect.poll(() => one!.relay.stats().peers).toBe(0);
    const c = await harness.join(two!.url);
    expect(c.welcome.peers).toEqual([b.id.peerId]);
    b.client.signal(a.id.peerId, 'to-the-departed');
    expect(await nextOfType(b.client, 'peer-left')).toEqual({ type: 'peer-left', peerId: a.id.peerId });
  });

  it('rejects and counts garbage published on its channel, logs it throttled, and keeps serving', async () => {
    const [one, two] = await twoRelays();
    const a = await harness.join(one!.url);
    const { relayId } = one!.relay.stats().redis!;
    const publisher = new Redis(redis.url);
    const garbage = [
      'not json',
      '[1,2]',
      JSON.stringify({ v: 1, type: 'signal', network: 'main', to: a.id.peerId }),
      JSON.stringify({ v: 2, type: 'signal', network: 'main', to: a.id.peerId, from: a.id.peerId, data: 'x' }),
      JSON.stringify({ v: 1, type: 'shutdown', network: 'main', to: a.id.peerId }),
      'x'.repeat(200_000),
    ];
    for (const payload of garbage) await publisher.publish(`tabmesh:relay:${relayId}`, payload);
    await expect.poll(() => one!.relay.stats().redis?.busRejected).toBe(garbage.length);
    await publisher.quit();
    expect(log.warnings.filter((line) => line.includes('rejected a message from Redis'))).toHaveLength(1);
    await expect(a.client.next(200)).rejects.toThrow(/no frame/);
    const b = await harness.join(two!.url);
    b.client.signal(a.id.peerId, 'still-forwarding');
    expect(await nextOfType(a.client, 'signal')).toEqual({ type: 'signal', from: b.id.peerId, data: 'still-forwarding' });
  });

  it('keeps serving local rooms while Redis is down, with a warning, and shares again when it returns', async () => {
    const [one, two] = await twoRelays();
    const a = await harness.join(one!.url);
    await redis.stop();
    for (const { relay } of [one!, two!]) await expect.poll(() => relay.stats().redis?.state, { timeout: 5_000 }).toBe('local');
    expect(log.warnings.some((line) => line.includes('Redis unavailable'))).toBe(true);
    // Local rooms: a new join on each relay still works; relay two no longer sees relay one's member.
    const a2 = await harness.join(one!.url);
    expect(a2.welcome.peers).toEqual([a.id.peerId]);
    a2.client.signal(a.id.peerId, 'local-while-down');
    expect(await nextOfType(a.client, 'signal')).toEqual({ type: 'signal', from: a2.id.peerId, data: 'local-while-down' });
    const b = await harness.join(two!.url);
    expect(b.welcome.peers).toEqual([]);
    b.client.signal(a.id.peerId, 'cannot-cross');
    expect(await nextOfType(b.client, 'peer-left')).toEqual({ type: 'peer-left', peerId: a.id.peerId });

    await redis.restart(); // empty: every relay must register its members again
    for (const { relay } of [one!, two!]) await expect.poll(() => relay.stats().redis?.state, { timeout: 10_000 }).toBe('shared');
    const c = await harness.join(two!.url);
    await expect.poll(async () => {
      const probe = await harness.join(two!.url);
      await probe.client.close();
      return new Set(probe.welcome.peers);
    }, { timeout: 5_000 }).toEqual(new Set([a.id.peerId, a2.id.peerId, b.id.peerId, c.id.peerId]));
    c.client.signal(a.id.peerId, 'shared-again');
    expect(await nextOfType(a.client, 'signal')).toEqual({ type: 'signal', from: c.id.peerId, data: 'shared-again' });
  });

  it('serves local rooms when Redis is unreachable from the start, and refuses a URL that is not redis://', async () => {
    const port = redis.port;
    await redis.stop();
    const { relay, url } = await harness.start({ ...shared, redisUrl: `redis://127.0.0.1:${port}` });
    const a = await harness.join(url);
    const b = await harness.join(url);
    expect(b.welcome.peers).toEqual([a.id.peerId]);
    expect(relay.stats().redis?.state).toBe('local');
    await expect(harness.start({ redisUrl: 'http://127.0.0.1:1' })).rejects.toThrow(InvalidArgumentError);
  });
});
