/**
 * Per-address limits against the real relay server: a second client address
 * is a second loopback IP (127.0.0.2; Linux routes all of 127/8 to lo), or a
 * trusted X-Forwarded-For.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addressKey, clientAddress } from './relay-address-limits.ts';
import { RELAY_DEFAULTS } from './relay-server.ts';
import { TestClient, createIdentity, createRelayHarness, joinMessage } from '../test/helpers/relay-test-client.ts';

const harness = createRelayHarness();
afterEach(() => harness.cleanup());

const FROM_OTHER_IP = { localAddress: '127.0.0.2' };

/** One scripted join: a socket, then a signed and stamped join. 'refused' when the upgrade is turned away. */
async function scriptedJoin(url: string): Promise<'joined' | 'refused'> {
  let client: TestClient;
  try {
    client = await harness.connect(url);
  } catch (error) {
    if (/Unexpected server response: 429/.test(String(error))) return 'refused';
    throw error;
  }
  const { nonce } = await client.expect('challenge');
  client.sendJson(await joinMessage(await createIdentity(), 'main', nonce));
  await client.expect('welcome');
  return 'joined';
}

describe('joins per address', () => {
  it('throttles 1,000 scripted joins from one address while a join from another address succeeds', async () => {
    // Members per address lifted, so the join rate alone is measured (on a slow run the bucket refills past 64).
    const { url, relay } = await harness.start({ maxMembersPerAddress: 1000 });
    const started = performance.now();
    const outcomes: string[] = [];
    // 20 at a time, as a script would pipeline them.
    for (let i = 0; i < 1000; i += 20) outcomes.push(...(await Promise.all(Array.from({ length: 20 }, () => scriptedJoin(url)))));
    const elapsedS = (performance.now() - started) / 1000;
    const joined = outcomes.filter((outcome) => outcome === 'joined').length;
    const { burst, perMinute } = RELAY_DEFAULTS.joinsPerAddress;
    // The burst, plus what the bucket refilled while the script ran (one a second).
    expect(joined).toBeGreaterThanOrEqual(burst);
    expect(joined).toBeLessThanOrEqual(burst + Math.ceil((elapsedS * perMinute) / 60) + 1);
    expect(relay.stats().refusals['join-rate']).toBe(1000 - joined);
    const honest = await harness.join(url, 'main', undefined, FROM_OTHER_IP);
    expect(honest.welcome.peers.length).toBeGreaterThan(0);
    expect(relay.stats().peers).toBe(joined + 1);
  }, 60_000);
});

describe('pending sockets per address', () => {
  it('holds a flood of idle sockets from one address to its share, and another address\'s newcomer joins', async () => {
    const { url, relay } = await harness.start();
    const flood = await Promise.allSettled(Array.from({ length: 200 }, () => harness.connect(url)));
    const held = flood.filter((result) => result.status === 'fulfilled').length;
    expect(held).toBe(RELAY_DEFAULTS.maxPendingPerAddress);
    expect(relay.stats().refusals['pending-per-address']).toBe(200 - held);
    const newcomer = await harness.join(url, 'main', undefined, FROM_OTHER_IP);
    expect(newcomer.welcome.peerId).toBe(newcomer.id.peerId);
  });

  it('when the whole pool is full, a newcomer evicts the oldest pending socket of the address holding the most', async () => {
    const { url, relay } = await harness.start({ maxPendingJoins: 8, maxPendingPerAddress: 8 });
    const idle = await Promise.all(Array.from({ length: 8 }, () => harness.connect(url)));
    await expect(harness.connect(url)).rejects.toThrow(/429/); // that address's own share is spent
    const newcomer = await harness.join(url, 'main', undefined, FROM_OTHER_IP);
    expect(newcomer.welcome.peerId).toBe(newcomer.id.peerId);
    expect(await idle[0]!.closed).toMatchObject({ code: 1013, reason: expect.stringMatching(/pending pool full/) });
    expect(relay.stats()).toMatchObject({ pendingEvicted: 1, pending: 7 });
  });

  it('when the pool is full of one socket per address (a spread flood), a newcomer evicts the oldest of them', async () => {
    const from = (ip: string) => ({ headers: { 'X-Forwarded-For': ip } });
    const { url, relay } = await harness.start({ maxPendingJoins: 8, trustProxyHops: 1 });
    const idle: TestClient[] = [];
    for (let i = 1; i <= 8; i++) idle.push(await harness.connect(url, from(`10.0.0.${i}`)));
    const newcomer = await harness.join(url, 'main', undefined, from('192.0.2.1'));
    expect(newcomer.welcome.peerId).toBe(newcomer.id.peerId);
    expect(await idle[0]!.closed).toMatchObject({ code: 1013, reason: expect.stringMatching(/oldest pending socket/) });
    expect(relay.stats()).toMatchObject({ pendingEvicted: 1, pending: 7 });
    expect(relay.stats().refusals['pending-pool']).toBe(0);
  });

  it('turns a newcomer away (503) when the pool is full and no address holds more than its own', async () => {
    const { url, relay } = await harness.start({ maxPendingJoins: 1 });
    await harness.connect(url, FROM_OTHER_IP);
    await expect(harness.connect(url, FROM_OTHER_IP)).rejects.toThrow(/503/);
    expect(relay.stats().refusals['pending-pool']).toBe(1);
  });
});

describe('members per address', () => {
  it('refuses a member past the address\'s limit with address-limit, but not a reload of a member it holds', async () => {
    const { url, relay } = await harness.start({ maxMembersPerAddress: 2 });
    const first = await harness.join(url);
    await harness.join(url);
    const third = await harness.connect(url);
    const { nonce } = await third.expect('challenge');
    third.sendJson(await joinMessage(await createIdentity(), 'main', nonce));
    expect(await third.expect('error')).toMatchObject({ code: 'address-limit' });
    expect(await third.closed).toEqual({ code: 1013, reason: 'too many members from your address' });
    expect(relay.stats().refusals['members-per-address']).toBe(1);
    // A reload: the same id on a new socket replaces the old one and takes no new slot.
    const reloaded = await harness.join(url, 'main', first.id);
    expect(reloaded.welcome.peerId).toBe(first.id.peerId);
    expect((await first.client.closed).code).toBe(4001);
    // A member leaving frees its slot.
    await reloaded.client.close();
    await expect.poll(() => relay.stats().peers).toBe(1);
    await harness.join(url);
    await harness.join(url, 'main', undefined, FROM_OTHER_IP);
    expect(relay.stats().peers).toBe(3);
  });

  it('takes the client address from X-Forwarded-For only when trusted', async () => {
    const asClient = (ip: string) => ({ headers: { 'X-Forwarded-For': `6.6.6.6, ${ip}` } });
    const trusting = await harness.start({ maxMembersPerAddress: 1, trustProxyHops: 1 });
    await harness.join(trusting.url, 'main', undefined, asClient('10.0.0.1'));
    await harness.join(trusting.url, 'main', undefined, asClient('10.0.0.2'));
    await expect(harness.join(trusting.url, 'main', undefined, asClient('10.0.0.1'))).rejects.toThrow(/expected welcome, got .*address-limit/);
    const direct = await harness.start({ maxMembersPerAddress: 1 });
    await harness.join(direct.url, 'main', undefined, asClient('10.0.0.1'));
    await expect(harness.join(direct.url, 'main', undefined, asClient('10.0.0.2'))).rejects.toThrow(/address-limit/);
  });
});

describe('client addresses', () => {
  const req = (remoteAddress: string, forwarded?: string) => ({ socket: { remoteAddress }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } });

  it('uses the TCP peer unless proxies are trusted, then the entry the nearest trusted proxy saw', () => {
    expect(clientAddress(req('127.0.0.1', '10.0.0.1') as never, 0)).toBe('127.0.0.1');
    expect(clientAddress(req('127.0.0.1', 'spoofed, 10.0.0.1') as never, 1)).toBe('10.0.0.1');
    expect(clientAddress(req('127.0.0.1', '10.0.0.7, 10.0.0.1') as never, 2)).toBe('10.0.0.7');
    // A proxy that sent no header, or garbage, leaves every client on the proxy's address: throttled, not trusted.
    expect(clientAddress(req('127.0.0.1') as never, 1)).toBe('127.0.0.1');
    expect(clientAddress(req('127.0.0.1', 'not-an-ip') as never, 1)).toBe('127.0.0.1');
  });

  it('limits IPv6 by /64 and IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:ffff::9'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });
});
