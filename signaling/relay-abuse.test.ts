/** Malformed input, limits, heartbeat and shutdown: the relay answers, closes, and keeps serving. */
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient, createIdentity, createRelayHarness, joinMessage } from '../test/helpers/relay-test-client.ts';

const harness = createRelayHarness();
const { log } = harness;
afterEach(() => harness.cleanup());

/** Asserts the relay still welcomes and forwards for fresh clients. */
async function expectStillServing(url: string): Promise<void> {
  const a = await harness.join(url);
  const b = await harness.join(url);
  await a.client.expect('peer-joined');
  a.client.signal(b.id.peerId, 'still-alive');
  expect(await b.client.next()).toEqual({ type: 'signal', from: a.id.peerId, data: 'still-alive' });
}

describe('malformed input', () => {
  const cases: Array<[string, (client: TestClient) => void, string]> = [
    ['bad JSON', (client) => client.ws.send('{"type":"join",'), 'bad-json'],
    ['a binary frame', (client) => client.ws.send(Buffer.from([1, 2, 3])), 'binary-frame'],
    ['an unknown type', (client) => client.sendJson({ type: 'subscribe' }), 'unknown-type'],
    ['a non-object', (client) => client.ws.send('[1,2]'), 'bad-field'],
    ['a join with a short peer id', (client) => client.sendJson({ type: 'join', network: 'main', peerId: 'ab', signature: '00'.repeat(64) }), 'bad-field'],
    ['a join with a bad network name', (client) => client.sendJson({ type: 'join', network: '../x', peerId: 'ab'.repeat(32), signature: '00'.repeat(64) }), 'bad-field'],
    ['a signal with empty data', (client) => client.signal('ab'.repeat(32), ''), 'bad-field'],
    ['a signal before join', (client) => client.signal('ab'.repeat(32), 'offer'), 'not-joined'],
  ];
  for (const [name, send, code] of cases) {
    it(`answers ${name} with error ${code} and keeps serving`, async () => {
      const { url } = await harness.start();
      const client = await harness.connect(url);
      await client.expect('challenge');
      send(client);
      expect(await client.expect('error')).toMatchObject({ type: 'error', code });
      expect(log.warnings.some((line) => line.includes(`"code":"${code}"`))).toBe(true);
      await expectStillServing(url);
    });
  }

  it('clips an oversized unknown type in the error message', async () => {
    const { url } = await harness.start();
    const client = await harness.connect(url);
    await client.expect('challenge');
    client.sendJson({ type: 'x'.repeat(10_000) });
    const error = await client.expect('error');
    expect(error.code).toBe('unknown-type');
    expect(error.message.length).toBeLessThanOrEqual(201);
  });

  it('answers a second join with already-joined', async () => {
    const { url } = await harness.start();
    const { client, id } = await harness.join(url);
    client.sendJson({ type: 'join', network: 'main', peerId: id.peerId, signature: '00'.repeat(64) });
    expect(await client.expect('error')).toMatchObject({ code: 'already-joined' });
  });

  it('rejects a signal to oneself', async () => {
    const { url } = await harness.start();
    const { client, id } = await harness.join(url);
    client.signal(id.peerId, 'loop');
    expect(await client.expect('error')).toMatchObject({ code: 'bad-field' });
  });

  it('closes with 1008 after repeated protocol errors', async () => {
    const { url } = await harness.start({ maxProtocolErrors: 3 });
    const client = await harness.connect(url);
    await client.expect('challenge');
    for (let i = 0; i < 3; i++) client.ws.send('nope');
    for (let i = 0; i < 3; i++) expect(await client.expect('error')).toMatchObject({ code: 'bad-json' });
    expect(await client.closed).toEqual({ code: 1008, reason: 'too many protocol errors' });
    await expectStillServing(url);
  });

  it('logs a flood of bad frames a few lines a second, while answering every one', async () => {
    const { url } = await harness.start({ maxProtocolErrors: 1000, logLinesPerSecond: 3 });
    const client = await harness.connect(url);
    await client.expect('challenge');
    for (let i = 0; i < 200; i++) client.ws.send('nope');
    for (let i = 0; i < 200; i++) expect(await client.expect('error')).toMatchObject({ code: 'bad-json' });
    const logged = log.warnings.filter((line) => line.includes('rejected frame')).length;
    // 3 a second: the 200 frames take well under a second here, two windows at the most on a slow run.
    expect(logged).toBeGreaterThanOrEqual(3);
    expect(logged).toBeLessThanOrEqual(6);
  });

  it('closes with 1009 on a frame above maxFrameBytes', async () => {
    const { url } = await harness.start({ maxFrameBytes: 1024 });
    const { client, id } = await harness.join(url);
    client.signal(id.peerId, 'x'.repeat(2000));
    expect((await client.closed).code).toBe(1009);
    await expectStillServing(url);
  });
});

describe('rate limit', () => {
  it('drops messages over the burst with rate-limited errors', async () => {
    const { url } = await harness.start({ rateLimit: { burst: 5, perSecond: 1 } });
    const { client } = await harness.join(url); // the join used one token
    const stranger = (await createIdentity()).peerId;
    for (let i = 0; i < 6; i++) client.signal(stranger, `m${i}`);
    const codes: string[] = [];
    while (codes.length < 6) {
      const frame = await client.next();
      if (frame.type === 'error') codes.push(frame.code);
      else expect(frame).toEqual({ type: 'peer-left', peerId: stranger });
    }
    expect(codes).toEqual(['unknown-peer', 'unknown-peer', 'unknown-peer', 'unknown-peer', 'rate-limited', 'rate-limited']);
  });

  it('closes a socket that keeps flooding', async () => {
    const { url } = await harness.start({ rateLimit: { burst: 2, perSecond: 1 }, maxDroppedMessages: 5 });
    const { client } = await harness.join(url);
    for (let i = 0; i < 20; i++) client.ws.send('{}');
    expect(await client.closed).toEqual({ code: 1008, reason: 'message rate exceeded' });
    await expectStillServing(url);
  });
});

describe('heartbeat and shutdown', () => {
  it('terminates a socket that stops answering pings and removes it from the room', async () => {
    const { url, relay } = await harness.start({ pingIntervalMs: 40 });
    const silent = await harness.join(url, 'main', undefined, { autoPong: false });
    const alive = await harness.join(url);
    await silent.client.expect('peer-joined');
    expect((await silent.client.closed).code).toBe(1006);
    expect(relay.stats().peers).toBe(1);
    // The responsive client survived the same rounds.
    alive.client.signal(silent.id.peerId, 'gone?');
    expect(await alive.client.next()).toEqual({ type: 'peer-left', peerId: silent.id.peerId });
    expect(await alive.client.expect('error')).toMatchObject({ code: 'unknown-peer' });
    expect(log.warnings.some((line) => line.includes('no pong'))).toBe(true);
  });

  it('close() closes every socket with 1001 and stops listening', async () => {
    const { url, relay } = await harness.start();
    const a = await harness.join(url);
    const pending = await harness.connect(url);
    await relay.close();
    expect(await a.client.closed).toEqual({ code: 1001, reason: 'relay shutting down' });
    expect(await pending.closed).toEqual({ code: 1001, reason: 'relay shutting down' });
    await expect(TestClient.connect(url)).rejects.toThrow(/ECONNREFUSED/);
    await relay.close(); // idempotent
  });

  it('close() leaves no rooms or pending sockets behind, even mid-join', async () => {
    const { url, relay } = await harness.start();
    const client = await harness.connect(url);
    const id = await createIdentity();
    const { nonce } = await client.expect('challenge');
    client.sendJson(await joinMessage(id, 'main', nonce));
    await relay.close();
    expect((await client.closed).code).toBe(1001);
    expect(relay.stats()).toMatchObject({ rooms: 0, peers: 0, active: 0, pending: 0 });
  });
});
