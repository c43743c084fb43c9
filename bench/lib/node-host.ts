/**
 * A full node in a child process of its own, so that its CPU is its own: the
 * load generators and the browser run elsewhere. startNodeHost runs
 * full-node-child.ts (startFullNode, as the bin, with an IPC channel for
 * counters and CPU); the node-to-tab figure starts the real bin through the
 * e2e harness and reads its CPU from /proc with processCpuMs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BenchError } from './bench-error.ts';
import type { NodeSample } from './full-node-child.ts';

const CHILD = fileURLToPath(new URL('./full-node-child.ts', import.meta.url));
/** Starting takes the identity, the store's open, the RPC server and the tsx loader: about 2 s here. */
const START_TIMEOUT_MS = 60_000;
/** How much of the node's log to keep for an error message. */
const KEEP_OUTPUT_CHARS = 20_000;
/** Linux reports process times in clock ticks; USER_HZ is 100 on every mainstream kernel (as lib/cpu.ts). */
const TICKS_PER_SECOND = 100;

export type { NodeSample } from './full-node-child.ts';

export interface NodeHostInit {
  relayUrl: string;
  network: string;
  dataDir: string;
  /** --links: the node's mesh degree, at least the number of peers it must keep. */
  links: number;
  /** Write V8 CPU profiles of the node's threads into this directory when it exits (node --cpu-prof). */
  profileDir?: string;
}

export interface NodeHost {
  readonly id: string;
  readonly pid: number;
  readonly rpcPort: number;
  sample(): Promise<NodeSample & { atMs: number }>;
  /** The tail of the node's log (JSON lines) and stderr. */
  output(): string;
  /** Asks the node to shut down as on SIGTERM and waits for its exit. */
  close(): Promise<void>;
}

const typeOf = (message: unknown): unknown => (typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined);

export async function startNodeHost(init: NodeHostInit): Promise<NodeHost> {
  const args = ['--relay', init.relayUrl, '--net', init.network, '--data', init.dataDir, '--rpc-port', '0', '--links', String(init.links)];
  const profile = init.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${init.profileDir}`] : [];
  const child: ChildProcess = fork(CHILD, args, { execArgv: ['--import', 'tsx', ...profile], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-KEEP_OUTPUT_CHARS));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = (what: string) => new BenchError(`the full node ${what}:\n${output.slice(-4_000)}`);

  const ready = await new Promise<{ id: string; rpcPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(failed(`did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: string | null) => reject(failed(`exited (${code ?? signal}) before it was running`));
    const onMessage = (message: unknown) => {
      if (typeOf(message) === 'ready') resolve(message as { id: string; rpcPort: number });
      else if (typeOf(message) === 'error') reject(failed(`failed to start: ${String((message as { message?: unknown }).message)}`));
      else return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });

  /** One sample at a time: replies come back in order. */
  let queue: Promise<unknown> = Promise.resolve();
  const sampleOnce = () => new Promise<NodeSample & { atMs: number }>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (typeOf(message) !== 'sample') return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve({ ...(message as NodeSample), atMs: performance.now() });
    };
    const onExit = () => reject(failed('exited while the bench was sampling it'));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ type: 'sample' });
  });

  return {
    id: ready.id,
    pid: child.pid!,
    rpcPort: ready.rpcPort,
    sample() {
      const next = queue.then(sampleOnce, sampleOnce);
      queue = next.catch(() => undefined);
      return next;
    },
    output: () => output,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU time (user + system, every thread) process `pid` has used, in ms, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')': utime and stime are the 12th and 13th of those.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}
