import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli-run.ts';
import { encodeCookie } from './rpc-cookie.ts';
import { createRpcServer, type RpcServer } from './rpc-server.ts';
import { createFakeRpcTarget, FAKE_ID, RICH, type FakeRpcTarget } from '../test/helpers/fake-rpc-target.ts';
import { spawnScript } from '../test/helpers/spawn-script.ts';

const quiet = { info: () => undefined, warn: () => undefined };
let dir: string;
let server: RpcServer;
let target: FakeRpcTarget;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tabmesh-cli-'));
  target = createFakeRpcTarget();
  server = createRpcServer({ target, log: quiet }, { port: 0, cookiePath: join(dir, '.cookie') });
  await server.ready;
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (line) => out.push(line), stderr: (line) => err.push(line) });
  return { code, out, err };
}

describe('runCli', () => {
  it('prints a call result as JSON', async () => {
    const { code, out, err } = await run(['status', '--data', dir]);
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(JSON.parse(out.join('\n'))).toMatchObject({ id: FAKE_ID, tip: { height: 7 } });
  });

  it("balance without an account asks for the node's own", async () => {
    const { code, out } = await run(['balance', '--data', dir]);
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual({ account: FAKE_ID, balance: 0 });
    expect(target.calls).toEqual(['status', `balance ${FAKE_ID}`]);
  });

  it('send and mine reach the node with their arguments', async () => {
    expect((await run(['send', RICH, '5', '2', '--data', dir])).code).toBe(0);
    const mined = await run(['mine', '2', '--data', dir]);
    expect(JSON.parse(mined.out.join('\n')).hashes).toHaveLength(2);
    expect(target.calls).toEqual([`send ${RICH} 5 2`, 'mine 2']);
  });

  it("a node's refusal is one line on stderr and exit 1", async () => {
    const { code, out, err } = await run(['send', RICH, '5000', '--data', dir]);
    expect({ code, out }).toEqual({ code: 1, out: [] });
    expect(err).toEqual(['tabmesh-cli: insufficient funds: 5000 requested, 1000 available (HTTP 400, insufficient-funds)']);
  });

  it('bad usage is one line and exit 2, without contacting the node', async () => {
    const { code, err } = await run(['mine', '0', '--data', dir]);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^tabmesh-cli: N must be an integer from 1 to 100/);
    expect(target.calls).toEqual([]);
  });

  it('no cookie: the node is not running, exit 1', async () => {
    const { code, err } = await run(['status', '--data', join(dir, 'elsewhere')]);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^tabmesh-cli: the node is not running: .*\.cookie does not exist/);
  });

  it('a stale cookie (nothing listening): connection refused, exit 1', async () => {
    const stale = join(dir, 'stale');
    await mkdir(stale);
    const { port } = server.address();
    await server.close(); // frees the port, so nothing answers there
    await writeFile(join(stale, '.cookie'), encodeCookie({ host: '127.0.0.1', port, token: 'a'.repeat(64) }), { mode: 0o600 });
    const { code, err } = await run(['status', '--data', stale]);
    expect(code).toBe(1);
    expect(err[0]).toMatch(/^tabmesh-cli: the node is not running: no node is listening at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/);
  });

  it('a damaged cookie is named, exit 1', async () => {
    await writeFile(join(dir, '.cookie'), 'garbage');
    const { code, err } = await run(['status', '--data', dir]);
    expect(code).toBe(1);
    expect(err[0]).toContain(`${join(dir, '.cookie')} is not a tabmesh RPC cookie`);
  });
});

describe('bin/tabmesh-cli.ts', () => {
  it('runs as a child process against a real server', async () => {
    const bin = fileURLToPath(new URL('./bin/tabmesh-cli.ts', import.meta.url));
    const spawnCli = async (args: string[]) => {
      const run = spawnScript(bin, args);
      return { code: await run.exited, stdout: run.stdout(), stderr: run.stderr() };
    };
    const [status, usage] = await Promise.all([spawnCli(['status', '--data', dir]), spawnCli(['status'])]);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: FAKE_ID, network: 'test-rpc' });
    expect(usage).toEqual({ code: 2, stdout: '', stderr: 'tabmesh-cli: --data DIR is required (tabmesh-cli --help for usage)\n' });
  });
});
