import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeAddress } from '../src/core/address.ts';
import type { Logger } from '../src/core/types.ts';
import { createRpcServer, MAX_BODY_BYTES, type RpcServer } from './rpc-server.ts';
import { createFakeRpcTarget, FAKE_ID, KNOWN_TX, RICH, type FakeRpcTarget } from '../test/helpers/fake-rpc-target.ts';

let dir: string;
let cookiePath: string;
let server: RpcServer;
let target: FakeRpcTarget;
let token: string;
let base: string;
const warnings: string[] = [];
const log: Logger = { info: () => undefined, warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields)}`) };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tabmesh-rpc-'));
  cookiePath = join(dir, '.cookie');
  target = createFakeRpcTarget();
  warnings.length = 0;
  server = createRpcServer({ target, log }, { port: 0, cookiePath });
  await server.ready;
  token = (JSON.parse(await readFile(cookiePath, 'utf8')) as { token: string }).token;
  base = `http://127.0.0.1:${server.address().port}`;
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: string, auth = `Bearer ${token}`): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${base}${path}`, { method, headers: auth === '' ? {} : { Authorization: auth }, ...(body === undefined ? {} : { body }) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

describe('cookie', () => {
  it('holds the port and a 64-hex token, mode 0600, and is removed on close', async () => {
    const cookie = JSON.parse(await readFile(cookiePath, 'utf8')) as Record<string, unknown>;
    expect(cookie).toEqual({ version: 1, host: '127.0.0.1', port: server.address().port, token: expect.stringMatching(/^[0-9a-f]{64}$/) });
    if (process.platform !== 'win32') expect((await stat(cookiePath)).mode & 0o777).toBe(0o600);
    await server.close();
    await expect(stat(cookiePath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('makes a new token on every start', async () => {
    const second = createRpcServer({ target, log }, { port: 0, cookiePath: join(dir, 'second.cookie') });
    await second.ready;
    const other = (JSON.parse(await readFile(join(dir, 'second.cookie'), 'utf8')) as { token: string }).token;
    expect(other).not.toBe(token);
    await second.close();
  });
});

describe('authorisation', () => {
  it.each([
    ['no header', '', /missing Authorization/],
    ['a wrong token', `Bearer ${'0'.repeat(64)}`, /wrong token/],
    ['a short wrong token', 'Bearer x', /wrong token/],
    ['another scheme', `Basic ${token}`, /missing Authorization/],
  ])('refuses %s with 401 and a JSON reason, without calling the node', async (_name, auth, reason) => {
    const { status, json, headers } = await call('GET', '/status', undefined, auth || '');
    expect(status).toBe(401);
    expect(json.error).toMatch(reason);
    expect(headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(target.calls).toEqual([]);
  });

  it('answers 401 before 404, so routes are not probed without the token', async () => {
    expect((await call('GET', '/nope', undefined, '')).status).toBe(401);
  });

  it('listens on 127.0.0.1 only', () => {
    expect(() => createRpcServer({ target, log }, { port: 0, cookiePath, host: '0.0.0.0' as '127.0.0.1' })).toThrow(/127\.0\.0\.1/);
  });
});

describe('routes', () => {
  it('GET /status', async () => {
    const { status, json } = await call('GET', '/status');
    expect(status).toBe(200);
    expect(json).toMatchObject({ id: FAKE_ID, network: 'test-rpc', tip: { height: 7 } });
  });

  it('GET /deployments', async () => {
    expect(await call('GET', '/deployments')).toMatchObject({ status: 200, json: { deployments: [{ name: 'minfee2', state: 'STARTED', share: 0.5 }] } });
    expect(target.calls).toContain('deployments');
  });

  it('GET /peers', async () => {
    expect(await call('GET', '/peers')).toMatchObject({ status: 200, json: { peers: [{ links: 1 }] } });
  });

  it('GET /tx/:id: a known transaction, an unknown one (404), a bad id (400)', async () => {
    expect(await call('GET', `/tx/${KNOWN_TX}`)).toMatchObject({ status: 200, json: { status: 'confirmed', height: 3 } });
    expect(await call('GET', `/tx/${'9'.repeat(64)}`)).toMatchObject({ status: 404, json: { status: 'unknown', error: expect.stringMatching(/unknown/) } });
    expect(await call('GET', `/tx/${KNOWN_TX.toUpperCase()}`)).toMatchObject({ status: 400, json: { error: 'transaction id must be 64 lower-case hex characters' } });
    expect(await call('GET', '/tx/abc')).toMatchObject({ status: 400 });
    expect(target.calls).toEqual([`findTx ${KNOWN_TX}`, `findTx ${'9'.repeat(64)}`]);
  });

  it('GET /balance/:account', async () => {
    expect(await call('GET', `/balance/${RICH}`)).toMatchObject({ status: 200, json: { account: RICH, balance: 1000 } });
    expect(await call('GET', '/balance/xyz')).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^account must be a tm1 address or 64 hex characters/) } });
    // A tm1 address is the same account; the answer names it in hex, the wire form.
    expect(await call('GET', `/balance/${encodeAddress(RICH)}`)).toMatchObject({ status: 200, json: { account: RICH, balance: 1000 } });
  });

  it('POST /send passes the fields on and answers {id}', async () => {
    expect(await call('POST', '/send', JSON.stringify({ to: RICH, amount: 5, fee: 2 }))).toEqual(expect.objectContaining({ status: 200, json: { id: 'f'.repeat(64) } }));
    expect(await call('POST', '/send', JSON.stringify({ to: RICH, amount: 5 }))).toMatchObject({ status: 200 });
    expect(target.calls).toEqual([`send ${RICH} 5 2`, `send ${RICH} 5 undefined`]);
  });

  it('POST /mine answers {hashes}', async () => {
    const { status, json } = await call('POST', '/mine', JSON.stringify({ blocks: 3 }));
    expect(status).toBe(200);
    expect(json.hashes).toHaveLength(3);
  });

  it('unknown route: 404; wrong method: 405 with Allow', async () => {
    expect(await call('GET', '/nope')).toMatchObject({ status: 404, json: { error: 'no such call: GET /nope' } });
    expect(await call('GET', '/status/extra')).toMatchObject({ status: 404 });
    const wrong = await call('GET', '/send');
    expect(wrong).toMatchObject({ status: 405, json: { error: '/send takes POST, not GET' } });
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await call('POST', '/status', '{}')).status).toBe(405);
  });
});

describe('request bodies', () => {
  it.each([
    ['not JSON', '{to:', /^body is not valid JSON/],
    ['empty', '', /^body is empty/],
    ['an array', '[1]', /^body must be a JSON object/],
    ['no to', '{"amount":5}', /^to must be a tm1 address or 64 hex characters/],
    ['a mistyped address', JSON.stringify({ to: `${encodeAddress(RICH).slice(0, -1)}${encodeAddress(RICH).endsWith('q') ? 'p' : 'q'}`, amount: 5 }), /^to must be a tm1 address or 64 hex characters: the checksum does not match/],
    ['zero amount', JSON.stringify({ to: RICH, amount: 0 }), /^amount must be a positive safe integer/],
    ['fractional amount', JSON.stringify({ to: RICH, amount: 1.5 }), /^amount must be a positive safe integer/],
    ['amount as a string', JSON.stringify({ to: RICH, amount: '5' }), /^amount must be a positive safe integer/],
    ['unsafe amount', `{"to":"${RICH}","amount":9007199254740993}`, /^amount must be a positive safe integer/],
    ['zero fee', JSON.stringify({ to: RICH, amount: 5, fee: 0 }), /^fee must be a positive safe integer/],
    ['a misspelt field', JSON.stringify({ to: RICH, amount: 5, fees: 2 }), /^unknown field 'fees'/],
  ])('POST /send with %s: 400 with a reason, node not called', async (_name, body, reason) => {
    const { status, json } = await call('POST', '/send', body);
    expect(status).toBe(400);
    expect(json.error).toMatch(reason);
    expect(target.calls).toEqual([]);
  });

  it.each([
    ['0', '{"blocks":0}'],
    ['101', '{"blocks":101}'],
    ['none', '{}'],
  ])('POST /mine with %s blocks: 400', async (_name, body) => {
    expect(await call('POST', '/mine', body)).toMatchObject({ status: 400, json: { error: 'blocks must be an integer from 1 to 100' } });
  });

  it('refuses an oversized body with 413 (declared length)', async () => {
    const body = JSON.stringify({ to: RICH, amount: 5, pad: 'x'.repeat(MAX_BODY_BYTES) });
    expect(await call('POST', '/send', body)).toMatchObject({ status: 413, json: { error: expect.stringMatching(/limit 65536/) } });
    expect(target.calls).toEqual([]);
  });

  it('refuses an oversized chunked body with 413 (no declared length)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/send`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write('x'.repeat(16 * 1024));
      req.end();
    });
    expect(status).toBe(413);
    expect(target.calls).toEqual([]);
  });
});

describe('target failures', () => {
  it('a user error is a 400 with its message and reason', async () => {
    expect(await call('POST', '/send', JSON.stringify({ to: RICH, amount: 5000 }))).toMatchObject({
      status: 400,
      json: { error: 'insufficient funds: 5000 requested, 1000 available', reason: 'insufficient-funds' },
    });
  });

  it("the wallet's TxRejectedError, matched by name, is a 400", async () => {
    const error = Object.assign(new Error('fee must be at least 1'), { name: 'TxRejectedError', reason: 'fee-too-low' });
    target.failNextSend = error;
    expect(await call('POST', '/send', JSON.stringify({ to: RICH, amount: 5 }))).toMatchObject({ status: 400, json: { error: 'fee must be at least 1', reason: 'fee-too-low' } });
  });

  it('any other error is a 500 that hides the details and logs them', async () => {
    target.failNextSend = new Error('LEVEL_IO_ERROR: disk on fire at /secret/path');
    const { status, json } = await call('POST', '/send', JSON.stringify({ to: RICH, amount: 5 }));
    expect(status).toBe(500);
    expect(JSON.stringify(json)).not.toContain('/secret/path');
    expect(warnings.join('\n')).toContain('disk on fire');
  });

  it('a result that is not JSON-encodable is a 500, not a crash', async () => {
    target.peers = () => [{ stake: 10n }];
    expect(await call('GET', '/peers')).toMatchObject({ status: 500, json: { error: expect.stringMatching(/internal error/) } });
    expect(warnings.join('\n')).toContain('could not be encoded');
    expect((await call('GET', '/status')).status).toBe(200);
  });
});
