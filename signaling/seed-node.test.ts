/**
 * `npm start -- --seed` (signaling/bin/serve.ts, seed-node.ts): the server
 * runs a full node beside the relay, as a child process, and shuts it down
 * gracefully with itself. The server and the node are started for real, as
 * a user starts them; only the page is a stand-in (an index.html in a temp
 * folder), since the unit tier runs before the build.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRpc } from '../fullnode/rpc-client.ts';
import { spawnScript } from '../test/helpers/spawn-script.ts';
import { until } from '../test/helpers/until.ts';

const SERVE = fileURLToPath(new URL('./bin/serve.ts', import.meta.url));
const folders: string[] = [];
const tempFolder = (): string => {
  const folder = mkdtempSync(join(tmpdir(), 'tabmesh-seed-'));
  folders.push(folder);
  return folder;
};
afterEach(() => folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true })));

const serve = (args: string[], env: Record<string, string>) => spawnScript(SERVE, args, { HOST: '127.0.0.1', PORT: '0', ...env });

describe('npm start -- --seed', () => {
  it('runs a full node in the relay room, and stops it gracefully on SIGTERM', async () => {
    const dist = tempFolder();
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>stand-in</title>');
    const dataDir = join(tempFolder(), 'seed');
    const server = serve(['--seed'], { TABMESH_DIST: dist, TABMESH_SEED_DATA: dataDir, TABMESH_SEED_NET: 'test-seed', TABMESH_SEED_RPC_PORT: '0' });
    try {
      await until(() => /relay: joined .*"network":"test-seed"/.test(server.output()), 'the seed node to join the relay room', 30_000).catch((error: unknown) => {
        throw new Error(`${String(error)}:\n${server.output()}`);
      });
      const status = await (await connectRpc(dataDir)).status();
      expect(status.network).toBe('test-seed');
      expect(status.tip.height).toBe(0);
      expect(server.output()).toContain(`"id":"${status.id}"`);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"msg":"full node stopped"');
    // The node closed its RPC (the cookie goes with it) and kept its identity and chain.
    expect(existsSync(join(dataDir, '.cookie'))).toBe(false);
    expect(existsSync(join(dataDir, 'identity.key'))).toBe(true);
  }, 60_000);

  it('refuses an unknown flag with a one-line error and exit code 2', async () => {
    const server = serve(['--sede'], {});
    expect(await server.exited).toBe(2);
    expect(server.output()).toMatch(/^tabmesh: Unknown option '--sede'/);
  });

  it('refuses a bad REDIS_URL or seed network with one line naming the setting, and exit code 1', async () => {
    const dist = tempFolder();
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>stand-in</title>');
    for (const [env, pattern] of [
      [{ REDIS_URL: 'notaurl' }, /^tabmesh: REDIS_URL: .*redis:\/\//],
      [{ TABMESH_SEED: '1', TABMESH_SEED_NET: 'no spaces' }, /^tabmesh: TABMESH_SEED_NET=no spaces is not a network name/],
    ] as const) {
      const server = serve([], { TABMESH_DIST: dist, ...env });
      expect(await server.exited, server.output()).toBe(1);
      expect(server.output().trim().split('\n')).toHaveLength(1);
      expect(server.output()).toMatch(pattern);
    }
  });
});
