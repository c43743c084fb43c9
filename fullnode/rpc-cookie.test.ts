import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createToken, encodeCookie, parseCookie, readCookie, removeCookie, writeCookie } from './rpc-cookie.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tabmesh-cookie-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rpc cookie', () => {
  it('round-trips through the file', async () => {
    const path = join(dir, '.cookie');
    const cookie = { host: '127.0.0.1' as const, port: 8645, token: createToken() };
    await writeCookie(path, cookie);
    expect(await readCookie(path)).toEqual({ ok: true, cookie });
    expect(await readFile(path, 'utf8')).toBe(encodeCookie(cookie));
  });

  it('removeCookie leaves a cookie written by another server', async () => {
    const path = join(dir, '.cookie');
    const mine = createToken();
    await writeCookie(path, { host: '127.0.0.1', port: 1, token: createToken() });
    await removeCookie(path, mine);
    expect((await stat(path)).isFile()).toBe(true);
  });

  it.each([
    ['garbage', /not JSON/],
    ['{"version":2,"host":"127.0.0.1","port":1,"token":"x"}', /cookie version 2/],
    [`{"version":1,"host":"0.0.0.0","port":1,"token":"${'a'.repeat(64)}"}`, /host other than 127\.0\.0\.1/],
    [`{"version":1,"host":"127.0.0.1","port":0,"token":"${'a'.repeat(64)}"}`, /no valid port/],
    ['{"version":1,"host":"127.0.0.1","port":1,"token":"short"}', /no valid token/],
  ])('refuses %s', (text, reason) => {
    const parsed = parseCookie(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(reason);
  });

  it('tells a missing cookie from a damaged one', async () => {
    expect(await readCookie(join(dir, 'none'))).toMatchObject({ ok: false, missing: true });
  });
});
