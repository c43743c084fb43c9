/**
 * Starts the full node (fullnode/bin/tabmesh-node.ts) as a child process, as
 * a user would with `npm run node`, and talks to it over its RPC with the
 * token from DIR/.cookie.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectRpc, type RpcClient } from '../../fullnode/rpc-client.ts';
import { spawnScript } from '../../test/helpers/spawn-script.ts';

const BIN = fileURLToPath(new URL('../../fullnode/bin/tabmesh-node.ts', import.meta.url));

export interface NodeProcess {
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything it logged (JSON lines) and wrote to stderr. */
  output(): string;
  rpc: RpcClient;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** A fresh data directory under the system's temp folder; removeDataDir deletes it. */
export const makeDataDir = (): string => mkdtempSync(join(tmpdir(), 'tabmesh-node-'));
export const removeDataDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/** Starts a node on `network` with its data in `dataDir`, and resolves once its RPC answers. */
export async function startNodeProcess(options: { relay: string; network: string; dataDir: string; extraArgs?: string[] }): Promise<NodeProcess> {
  const { child, exited, output } = spawnScript(BIN, ['--relay', options.relay, '--net', options.network, '--data', options.dataDir, '--rpc-port', '0', ...(options.extraArgs ?? [])]);
  const deadline = Date.now() + 30_000;
  let stopped: number | string | undefined;
  void exited.then((code) => (stopped = code));
  while (!/"msg":"full node running"/.test(output())) {
    if (stopped !== undefined) throw new Error(`the full node exited (${stopped}) before it was running:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`the full node did not start within 30 s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const rpc = await connectRpc(options.dataDir);
  return { dataDir: options.dataDir, child, output, rpc, exited };
}

/** SIGTERM, and waits for the exit code. */
export async function stopNodeProcess(node: NodeProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
  if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill(signal);
  return node.exited;
}
