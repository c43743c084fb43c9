/** The relay's limits from `npm start`'s flags and environment (relay-settings.ts, bin/serve.ts). */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RawSetting } from './ice-servers.ts';
import { RELAY_SETTINGS, RelaySettingsError, parseRelaySettings } from './relay-settings.ts';
import { RELAY_DEFAULTS } from './relay-server.ts';

const SERVE = fileURLToPath(new URL('./bin/serve.ts', import.meta.url));

/** serve.ts's lookup: a flag wins over its variable. */
function lookupOf(flags: Record<string, string>, env: Record<string, string>) {
  return (flag: string, name: string): RawSetting | undefined => {
    if (flags[flag] !== undefined) return { value: flags[flag], name: `--${flag}` };
    return env[name] === undefined ? undefined : { value: env[name], name };
  };
}
const parse = (flags: Record<string, string>, env: Record<string, string> = {}) => parseRelaySettings(lookupOf(flags, env));

describe('parseRelaySettings', () => {
  it('returns nothing when nothing is set, so every limit keeps its default', () => {
    expect(parse({})).toEqual({});
    expect(parse({}, { TABMESH_TRUST_PROXY: '' })).toEqual({});
  });

  it('reads every limit from its flag or variable, the flag winning', () => {
    const settings = parse(
      { 'max-connections': '2000', 'pending-per-address': '8', 'join-timeout': '2.5', 'join-burst': '5' },
      {
        TABMESH_MAX_CONNECTIONS: '9', TABMESH_MAX_PENDING_JOINS: '100', TABMESH_MEMBERS_PER_ADDRESS: '16', TABMESH_JOINS_PER_MINUTE: '30',
        TABMESH_MAX_ROOM_SIZE: '500', TABMESH_TRUST_PROXY: '1',
      },
    );
    expect(settings).toEqual({
      maxConnections: 2000, maxPendingJoins: 100, maxPendingPerAddress: 8, maxMembersPerAddress: 16,
      joinsPerAddress: { burst: 5, perMinute: 30 }, maxRoomSize: 500, joinTimeoutMs: 2500, trustProxyHops: 1,
    });
  });

  it('fills the other half of the join bucket from the default when one is set', () => {
    expect(parse({ 'joins-per-minute': '10' }).joinsPerAddress).toEqual({ burst: RELAY_DEFAULTS.joinsPerAddress.burst, perMinute: 10 });
  });

  it.each([
    [{ 'max-connections': 'lots' }, {}, /^--max-connections=lots must be a whole number of sockets from 1 to 1,000,000$/],
    [{}, { TABMESH_MAX_PENDING_JOINS: '0' }, /^TABMESH_MAX_PENDING_JOINS=0 must be a whole number/],
    [{}, { TABMESH_MEMBERS_PER_ADDRESS: '-4' }, /^TABMESH_MEMBERS_PER_ADDRESS=-4 /],
    [{}, { TABMESH_JOIN_BURST: '1.5' }, /^TABMESH_JOIN_BURST=1.5 must be a whole number of joins/],
    [{ 'max-room-size': '1' }, {}, /^--max-room-size=1 must be a whole number of members from 2/],
    [{}, { TABMESH_JOIN_TIMEOUT: '10s' }, /^TABMESH_JOIN_TIMEOUT=10s must be a number of seconds from 1 to 300$/],
    [{ 'join-timeout': '301' }, {}, /^--join-timeout=301 /],
    [{}, { TABMESH_TRUST_PROXY: '11' }, /^TABMESH_TRUST_PROXY=11 must be a whole number of proxies from 0 to 10$/],
    [{ 'pending-per-address': '64' }, { TABMESH_MAX_PENDING_JOINS: '32' }, /^--pending-per-address=64 is more than TABMESH_MAX_PENDING_JOINS=32: one address's share/],
    [{ 'pending-per-address': '1000' }, {}, /^--pending-per-address=1000 is more than the default TABMESH_MAX_PENDING_JOINS=512/],
    [{ 'max-connections': '100' }, {}, /^the default TABMESH_MAX_PENDING_JOINS=512 is more than --max-connections=100: pending sockets are connections$/],
  ])('refuses %j %j naming the setting', (flags, env, message) => {
    expect(() => parse(flags, env)).toThrow(RelaySettingsError);
    expect(() => parse(flags, env)).toThrow(message);
  });

  it('does not offer the identity stamp\'s work, a network parameter every peer checks', () => {
    expect(Object.values(RELAY_SETTINGS).map((spec) => spec.flag).filter((flag) => /stamp/.test(flag))).toEqual([]);
  });
});

describe('npm start with relay limits (signaling/bin/serve.ts)', () => {
  const dist = mkdtempSync(path.join(tmpdir(), 'tabmesh-relay-settings-'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>t</title>');
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  function serve(env: Record<string, string>, args: string[] = []) {
    const child = spawn(process.execPath, ['--import', 'tsx', SERVE, ...args], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', TABMESH_DIST: dist, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const port = new Promise<number>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /serving http:\/\/localhost:(\d+)\//.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    port.catch(() => undefined); // observed by the tests that wait for it
    return { child, exited, port, stderr: () => stderr };
  }

  it('exits 1 with one line naming a bad limit', async () => {
    const bad = serve({ TABMESH_PENDING_PER_ADDRESS: 'many' });
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toBe('tabmesh: TABMESH_PENDING_PER_ADDRESS=many must be a whole number of sockets from 1 to 1,000,000\n');
    const badFlag = serve({}, ['--join-timeout', '0']);
    expect(await badFlag.exited).toBe(1);
    expect(badFlag.stderr()).toMatch(/^tabmesh: --join-timeout=0 must be a number of seconds from 1 to 300\n$/);
  }, 30_000);

  it('runs the relay with the limits given: a flag over its variable', async () => {
    const run = serve({ TABMESH_PENDING_PER_ADDRESS: '10' }, ['--pending-per-address', '2']);
    try {
      const port = await run.port;
      const outcome = (): Promise<string> => new Promise((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/signal`);
        ws.once('open', () => resolve('open'));
        ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
        ws.once('error', (error) => resolve(error.message));
      });
      expect([await outcome(), await outcome(), await outcome()]).toEqual(['open', 'open', 'HTTP 429']);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 30_000);
});
