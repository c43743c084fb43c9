import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAppServer, type AppServer } from './http-server.ts';
import { IceConfigError, iceServersFor, mintTurnCredential, parseIceSettings, type PageConfigResponse } from './ice-servers.ts';
import { silentLogger } from './logger.ts';

const SECRET = 'tabmesh-test-secret-0001';
const env = (name: string, value: string) => ({ name, value });

describe('mintTurnCredential (TURN REST API)', () => {
  it('matches a vector computed with openssl: base64(HMAC-SHA1(secret, "<expiry>:<id>"))', () => {
    // printf '%s' "1700003600:0123456789abcdef" | openssl dgst -sha1 -hmac "tabmesh-test-secret-0001" -binary | base64
    expect(mintTurnCredential(SECRET, 3600, 1_700_000_000_500, '0123456789abcdef')).toEqual({
      username: '1700003600:0123456789abcdef',
      credential: '0kJ6N2ySK6vHuIC22RQAN1rILls=',
    });
  });
});

describe('parseIceSettings', () => {
  it('accepts STUN and TURN URLs with a secret, and a TTL', () => {
    const settings = parseIceSettings({
      stun: env('TABMESH_STUN', 'stun:stun.example.org, stun:[2001:db8::1]:3478'),
      turn: env('TABMESH_TURN', 'turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349'),
      turnSecret: env('TABMESH_TURN_SECRET', SECRET),
      turnTtl: env('TABMESH_TURN_TTL', '600'),
    });
    expect(settings).toEqual({
      stunUrls: ['stun:stun.example.org', 'stun:[2001:db8::1]:3478'],
      turnUrls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
      turnSecret: SECRET,
      turnTtlSec: 600,
    });
    expect(parseIceSettings({}).turnTtlSec).toBe(3600);
  });

  it.each([
    [{ stun: env('TABMESH_STUN', 'stun://host') }, /^TABMESH_STUN: 'stun:\/\/host' is not a URL/],
    [{ stun: env('--stun', 'turn:host') }, /^--stun: 'turn:host'/],
    [{ stun: env('TABMESH_STUN', 'stun:host:70000') }, /^TABMESH_STUN: 'stun:host:70000'/],
    [{ turn: env('TABMESH_TURN', 'turn:host?transport=sctp'), turnSecret: env('TABMESH_TURN_SECRET', SECRET) }, /^TABMESH_TURN: /],
    [{ turn: env('TABMESH_TURN', 'turn:host') }, /^TABMESH_TURN needs a TURN secret/],
    [{ turn: env('--turn', 'turn:host'), turnSecret: env('--turn-secret', 'short') }, /^--turn-secret is too short/],
    [{ turnSecret: env('TABMESH_TURN_SECRET', SECRET) }, /^TABMESH_TURN_SECRET is set but no TURN server is/],
    [{ turnTtl: env('TABMESH_TURN_TTL', '1h') }, /^TABMESH_TURN_TTL=1h must be a whole number of seconds/],
    [{ turnTtl: env('--turn-ttl', '10') }, /^--turn-ttl=10 must be/],
    [{ stun: env('TABMESH_STUN', Array.from({ length: 9 }, (_, i) => `stun:s${i}.example.org`).join(',')) }, /^TABMESH_STUN lists 9 URLs; at most 8$/],
  ])('refuses %j naming the setting', (raw, message) => {
    expect(() => parseIceSettings(raw)).toThrow(IceConfigError);
    expect(() => parseIceSettings(raw)).toThrow(message);
  });
});

describe('GET /config.json', () => {
  let distDir: string;
  const servers: AppServer[] = [];
  beforeAll(() => {
    distDir = mkdtempSync(path.join(tmpdir(), 'tabmesh-ice-dist-'));
    mkdirSync(distDir, { recursive: true });
    writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><title>t</title>');
  });
  afterAll(() => rmSync(distDir, { recursive: true, force: true }));
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  async function start(ice?: Parameters<typeof createAppServer>[0]['ice']): Promise<string> {
    const server = createAppServer({ port: 0, host: '127.0.0.1', distDir, log: silentLogger, ice });
    servers.push(server);
    await server.ready;
    return `http://127.0.0.1:${server.address().port}/config.json`;
  }

  it('serves no ICE servers when none are configured', async () => {
    const response = await fetch(await start());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ iceServers: [] });
  });

  it('mints a fresh, expiring TURN credential per request and never sends the secret', async () => {
    const ice = parseIceSettings({ stun: env('TABMESH_STUN', 'stun:127.0.0.1:3478'), turn: env('TABMESH_TURN', 'turn:127.0.0.1:3478'), turnSecret: env('TABMESH_TURN_SECRET', SECRET), turnTtl: env('TABMESH_TURN_TTL', '120') });
    const url = await start(ice);
    const first = await fetch(url);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const text = await first.text();
    expect(text).not.toContain(SECRET);
    const body = JSON.parse(text) as PageConfigResponse;
    expect(body.iceServers[0]).toEqual({ urls: ['stun:127.0.0.1:3478'] });
    const turn = body.iceServers[1]!;
    expect(turn.urls).toEqual(['turn:127.0.0.1:3478']);
    const [expiry, id] = turn.username!.split(':');
    expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(110);
    expect(Number(expiry) - Date.now() / 1000).toBeLessThanOrEqual(121);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(turn.credential).toBe(createHmac('sha1', SECRET).update(turn.username!).digest('base64'));
    const second = (await (await fetch(url)).json()) as PageConfigResponse;
    expect(second.iceServers[1]!.username).not.toBe(turn.username);
    const post = await fetch(url, { method: 'POST' });
    expect(post.status).toBe(405);
    await post.text();
  });

  it('iceServersFor leaves out kinds that are not configured', () => {
    expect(iceServersFor(parseIceSettings({ stun: env('TABMESH_STUN', 'stun:a.example') }))).toEqual([{ urls: ['stun:a.example'] }]);
    expect(iceServersFor(undefined)).toEqual([]);
  });
});
