/**
 * The tabmesh-node command as a user meets it: bad flags exit 2 with one
 * line, a data directory of another network exits 1 naming the path (never a
 * silent reset), and SIGTERM shuts it down with exit code 0 and its identity
 * kept. The node runs for real against no relay (it keeps retrying), which is
 * all these need.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnScript } from '../../test/helpers/spawn-script.ts';
import { until } from '../../test/helpers/until.ts';

const BIN = fileURLToPath(new URL('./tabmesh-node.ts', import.meta.url));
/** Nothing listens here: the relay client retries with backoff, which is what a node with its relay down does. */
const NO_RELAY = 'ws://127.0.0.1:9/signal';
const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true })));
function dataDir(): string {
  const folder = mkdtempSync(join(tmpdir(), 'tabmesh-node-bin-'));
  folders.push(folder);
  return folder;
}

const run = (args: string[]) => spawnScript(BIN, args);

const idOf = (output: string) => /"msg":"full node running","id":"([0-9a-f]{64})"/.exec(output)?.[1];

describe('tabmesh-node', () => {
  it('refuses bad flags with one line and exit code 2', async () => {
    for (const args of [['--data'], ['--data', dataDir(), '--links', '99'], ['--data', dataDir(), '--relay', 'http://x'], ['--bogus']]) {
      const node = run(args);
      expect(await node.exited, args.join(' ')).toBe(2);
      expect(node.output().trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(node.output()).toMatch(/^tabmesh-node: /);
    }
  });

  it('keeps its id across restarts, exits 0 on SIGTERM, and refuses a data directory of another network naming its path', async () => {
    const dir = dataDir();
    const ids: string[] = [];
    for (let start = 0; start < 2; start++) {
      const node = run(['--data', dir, '--net', 'test-bin-a', '--relay', NO_RELAY, '--rpc-port', '0']);
      await until(() => idOf(node.output()) !== undefined || node.child.exitCode !== null, 'the node to start', 30_000);
      ids.push(idOf(node.output())!);
      node.child.kill('SIGTERM');
      expect(await node.exited, node.output()).toBe(0);
    }
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(ids[1]).toBe(ids[0]);

    const other = run(['--data', dir, '--net', 'test-bin-b', '--relay', NO_RELAY, '--rpc-port', '0']);
    expect(await other.exited).toBe(1);
    expect(other.output()).toContain(join(dir, 'chain'));
    expect(other.output()).toMatch(/test-bin-a/);
  }, 60_000);
});
