import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity, createRelayHarness, joinMessage, signJoin } from '../test/helpers/relay-test-client.ts';

const harness = createRelayHarness();
const { log } = harness;
const startRelay = harness.start;
const connect = harness.connect;
const join = harness.join;

afterEach(() => harness.cleanup());

describe('relay join', () => {
  it('welcomes a joiner with the room and announces it to the others', async () => {
    const { url, relay } = await startRelay();
    const a = await join(url);
    expect(a.welcome).toEqual({ type: 'welcome', peerId: a.id.peerId, peers: [], features: ['activity'] });
    const b = await join(url);
    expect(b.welcome.peers).toEqual([a.id.peerId]);
    expect(await a.client.expect('peer-joined')).toEqual({ type: 'peer-joined', peerId: b.id.peerId });
    expect(relay.stats()).toMatchObject({ rooms: 1, peers: 2, active: 2, pending: 0 });
  });

  it('welcomes with a sample of welcomeSample members and announces to announceSample of them', async () => {
    const { url } = await startRelay({ welcomeSample: 3, announceSample: 2 });
    const members = [];
    for (let i = 0; i < 6; i++) members.push(await join(url));
    const ids = new Set(members.map((member) => member.id.peerId));
    const late = await join(url);
    expect(late.welcome.peers).toHaveLength(3);
    for (const id of late.welcome.peers) expect(ids.has(id)).toBe(true);
    // Each member's frames so far are peer-joined announcements; count who heard of the late joiner.
    const heard = await Promise.all(members.map(async ({ client }) => {
      const frames = [];
      for (;;) {
        const frame = await client.next(200).catch(() => undefined);
        if (frame === undefined) return frames.some((f) => f.type === 'peer-joined' && f.peerId === late.id.peerId);
        frames.push(frame);
      }
    }));
    expect(heard.filter(Boolean)).toHaveLength(2);
  });

  it('sends a fresh 32-byte challenge per connection', async () => {
    const { url } = await startRelay();
    const one = await (await connect(url)).expect('challenge');
    const two = await (await connect(url)).expect('challenge');
    expect(one.nonce).toMatch(/^[0-9a-f]{64}$/);
    expect(one.nonce).not.toEqual(two.nonce);
  });

  it('rejects a wrong signature and closes with 1008', async () => {
    const { url } = await startRelay();
    const client = await connect(url);
    const { nonce } = await client.expect('challenge');
    const [owner, impostor] = [await createIdentity(), await createIdentity()];
    client.sendJson({ type: 'join', network: 'main', peerId: owner.peerId, signature: await signJoin(impostor, 'main', nonce), identityStamp: owner.identityStamp });
    expect(await client.expect('error')).toMatchObject({ code: 'bad-signature' });
    expect(await client.closed).toEqual({ code: 1008, reason: 'bad join signature' });
    expect(log.warnings.some((line) => line.includes('bad join signature'))).toBe(true);
  });

  it("cannot join as another peer's id by replaying its signature", async () => {
    const { url } = await startRelay();
    const victim = await createIdentity();
    const observed = await connect(url);
    const { nonce } = await observed.expect('challenge');
    const stolenSignature = await signJoin(victim, 'main', nonce);
    const attacker = await connect(url);
    await attacker.expect('challenge');
    attacker.sendJson({ type: 'join', network: 'main', peerId: victim.peerId, signature: stolenSignature, identityStamp: victim.identityStamp });
    expect(await attacker.expect('error')).toMatchObject({ code: 'bad-signature' });
    expect((await attacker.closed).code).toBe(1008);
    const witness = await join(url);
    expect(witness.welcome.peers).toEqual([]);
  });

  it('rejects a signature made for another network', async () => {
    const { url } = await startRelay();
    const id = await createIdentity();
    const client = await connect(url);
    const { nonce } = await client.expect('challenge');
    client.sendJson({ type: 'join', network: 'main', peerId: id.peerId, signature: await signJoin(id, 'test', nonce), identityStamp: id.identityStamp });
    expect(await client.expect('error')).toMatchObject({ code: 'bad-signature' });
  });

  it('replaces an older socket of the same peer id without announcing the leave', async () => {
    const { url, relay } = await startRelay();
    const a1 = await join(url);
    const b = await join(url);
    await a1.client.expect('peer-joined');
    const a2 = await join(url, 'main', a1.id);
    expect(a2.welcome.peers).toEqual([b.id.peerId]);
    expect(await a1.client.closed).toEqual({ code: 4001, reason: 'replaced by a newer connection' });
    expect(await b.client.next()).toEqual({ type: 'peer-joined', peerId: a1.id.peerId });
    // The old socket's close announces nothing: the next frame b sees is a2's signal.
    a2.client.signal(b.id.peerId, 'after-replace');
    expect(await b.client.next()).toEqual({ type: 'signal', from: a1.id.peerId, data: 'after-replace' });
    b.client.signal(a1.id.peerId, 'to-new-socket');
    expect(await a2.client.next()).toEqual({ type: 'signal', from: b.id.peerId, data: 'to-new-socket' });
    expect(relay.stats().peers).toBe(2);
  });

  it('refuses a join beyond the room size with room-full and 1013', async () => {
    const { url } = await startRelay({ maxRoomSize: 2 });
    await join(url);
    await join(url);
    const third = await connect(url);
    const id = await createIdentity();
    const { nonce } = await third.expect('challenge');
    third.sendJson(await joinMessage(id, 'main', nonce));
    expect(await third.expect('error')).toMatchObject({ code: 'room-full' });
    expect((await third.closed).code).toBe(1013);
    const elsewhere = await join(url, 'other');
    expect(elsewhere.welcome.peers).toEqual([]);
  });

  it('closes a socket that does not join in time', async () => {
    const { url, relay } = await startRelay({ joinTimeoutMs: 100 });
    const client = await connect(url);
    await client.expect('challenge');
    expect(await client.closed).toEqual({ code: 1008, reason: 'join timeout' });
    expect(relay.stats().pending).toBe(0);
  });

  it('refuses upgrades beyond maxPendingJoins with 503', async () => {
    const { url } = await startRelay({ maxPendingJoins: 1 });
    await connect(url);
    await expect(connect(url)).rejects.toThrow(/503/);
  });
});

describe('relay signals', () => {
  it('forwards a signal to its target stamped with the authenticated sender', async () => {
    const { url } = await startRelay();
    const a = await join(url);
    const b = await join(url);
    await a.client.expect('peer-joined');
    a.client.signal(b.id.peerId, 'offer-1');
    expect(await b.client.next()).toEqual({ type: 'signal', from: a.id.peerId, data: 'offer-1' });
  });

  it('stamps the real sender even when the frame claims another from', async () => {
    const { url } = await startRelay();
    const a = await join(url);
    const b = await join(url);
    const c = await join(url);
    expect(await b.client.expect('peer-joined')).toMatchObject({ peerId: c.id.peerId });
    a.client.signal(b.id.peerId, 'spoofed', { from: c.id.peerId });
    expect(await b.client.next()).toEqual({ type: 'signal', from: a.id.peerId, data: 'spoofed' });
  });

  it('does not forward across rooms', async () => {
    const { url } = await startRelay();
    const a = await join(url, 'alpha');
    const b = await join(url, 'beta');
    const a2 = await join(url, 'beta');
    await b.client.expect('peer-joined');
    a.client.signal(b.id.peerId, 'cross-room');
    expect(await a.client.next()).toEqual({ type: 'peer-left', peerId: b.id.peerId });
    expect(await a.client.expect('error')).toMatchObject({ code: 'unknown-peer' });
    a2.client.signal(b.id.peerId, 'same-room');
    expect(await b.client.next()).toEqual({ type: 'signal', from: a2.id.peerId, data: 'same-room' });
  });

  it('does not broadcast a departure; a signal to the departed gets peer-left and unknown-peer', async () => {
    const { url, relay } = await startRelay();
    const a = await join(url);
    const b = await join(url);
    await a.client.expect('peer-joined');
    await b.client.close();
    await expect.poll(() => relay.stats().peers).toBe(1);
    a.client.signal(b.id.peerId, 'too-late');
    expect(await a.client.next()).toEqual({ type: 'peer-left', peerId: b.id.peerId });
    expect(await a.client.expect('error')).toMatchObject({ code: 'unknown-peer' });
    expect(relay.stats()).toMatchObject({ rooms: 1, peers: 1 });
  });
});

describe('active and idle members', () => {
  it('samples active members before idle ones, and an idle member still gets signals', async () => {
    const { url, relay } = await startRelay({ welcomeSample: 1 });
    const idle = await join(url);
    const active = await join(url);
    await idle.client.expect('peer-joined');
    idle.client.sendJson({ type: 'idle' });
    await expect.poll(() => relay.stats().active).toBe(1);
    for (let i = 0; i < 5; i++) {
      const newcomer = await join(url);
      expect(newcomer.welcome.peers).toEqual([active.id.peerId]);
      await newcomer.client.close();
    }
    const dialer = await join(url);
    dialer.client.signal(idle.id.peerId, 'offer-to-idle');
    expect(await idle.client.next()).toEqual({ type: 'signal', from: dialer.id.peerId, data: 'offer-to-idle' });
    // Back to active: it is drawn into samples again.
    idle.client.sendJson({ type: 'active' });
    await expect.poll(() => relay.stats().active).toBe(3);
  });

  it('an idle member is still sampled when nobody is active, so newcomers to a settled room get peers', async () => {
    const { url } = await startRelay();
    const settled = await join(url);
    settled.client.sendJson({ type: 'idle' });
    const probe = await join(url);
    expect(probe.welcome.peers).toEqual([settled.id.peerId]);
  });

  it('refuses active/idle before join with not-joined', async () => {
    const { url } = await startRelay();
    const client = await connect(url);
    await client.expect('challenge');
    client.sendJson({ type: 'idle' });
    expect(await client.expect('error')).toMatchObject({ code: 'not-joined' });
  });
});
