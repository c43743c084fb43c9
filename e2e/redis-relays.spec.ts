/**
 * Relays that share rooms through Redis (issue 19, item 5): a real
 * redis-server on a loopback port and two app servers (page + relay) that
 * both use it. One tab on each server, each talking only to its own relay,
 * find each other through the shared room and link over WebRTC: the offer,
 * answer and candidates cross from one relay process to the other through
 * Redis pub/sub.
 */
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { createAppServer, type AppServer } from '../signaling/http-server.ts';
import { startRedisServer, type RedisTestServer } from './harness/redis.ts';
import { idOf, peersOf, uniqueNetwork, waitReady } from './harness/tabs.ts';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const quiet = { info: () => undefined, warn: () => undefined };

test('two tabs on two relay processes that share rooms through Redis link', async ({ context }) => {
  test.setTimeout(90_000);
  let redis: RedisTestServer | undefined;
  const servers: AppServer[] = [];
  try {
    redis = await startRedisServer();
    for (let i = 0; i < 2; i++) {
      const server = createAppServer({ port: 0, host: '127.0.0.1', distDir: DIST, log: quiet, relay: { redisUrl: redis.url } });
      await server.ready;
      servers.push(server);
    }
    for (const server of servers) await expect.poll(() => server.relay.stats().redis?.state, { timeout: 10_000 }).toBe('shared');

    const network = uniqueNetwork();
    const pages = [];
    for (const server of servers) {
      const origin = `http://127.0.0.1:${server.address().port}`;
      const page = await context.newPage();
      await page.goto(`${origin}/?net=${network}&relay=${encodeURIComponent(`ws://127.0.0.1:${server.address().port}/signal`)}`);
      await waitReady(page);
      pages.push(page);
    }
    const [a, b] = pages as [typeof pages[0], typeof pages[0]];
    // Each relay holds only its own tab: whatever links them went through Redis.
    for (const server of servers) await expect.poll(() => server.relay.stats().peers).toBe(1);
    const [aId, bId] = [await idOf(a), await idOf(b)];
    await expect.poll(() => peersOf(a), { message: 'tab A links to tab B', timeout: 30_000 }).toContain(bId);
    await expect.poll(() => peersOf(b), { message: 'tab B links to tab A', timeout: 30_000 }).toContain(aId);
    const crossed = servers.reduce((sum, server) => sum + (server.relay.stats().redis?.busDelivered ?? 0), 0);
    expect(crossed, 'signals crossed between the relay processes').toBeGreaterThan(0);
  } finally {
    for (const server of servers) await server.close();
    await redis?.stop();
  }
});
