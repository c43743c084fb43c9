/**
 * Starts bench/lib/relay-child.ts, a relay in a process of its own, and
 * talks to it over IPC: stats (RSS, CPU, the relay's counters), a forced GC,
 * close. Also counts the bytes the child writes to stdout and stderr, which
 * is its log when it was started with `log: 'console'`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RelayOptions } from '../../signaling/host-server.ts';
import type { LoopDelay, RelayChildStats } from './relay-child.ts';

const CHILD = fileURLToPath(new URL('./relay-child.ts', import.meta.url));

export interface RelayProcess {
  child: ChildProcess;
  /** ws://127.0.0.1:PORT/signal */
  url: string;
  /** http://127.0.0.1:PORT */
  httpUrl: string;
  stats(): Promise<RelayChildStats>;
  /** The child's event-loop delay since the previous call (the first call starts the count). */
  loopDelay(): Promise<LoopDelay>;
  /** Runs a full GC in the child (it is started with --expose-gc). */
  gc(): Promise<void>;
  /** Bytes the child has written to stdout and stderr so far. */
  logBytes(): number;
  close(): Promise<void>;
}

export interface RelayProcessInit {
  relay?: RelayOptions;
  /** 'console': log as `npm start` does (counted by logBytes); default silent. */
  log?: 'console' | 'silent';
  /** Write a V8 CPU profile of the relay (--cpu-prof) into this directory when it exits. */
  profileDir?: string;
}

/** Forks the relay child and resolves once it listens. */
export async function startRelayProcess(init: RelayProcessInit = {}): Promise<RelayProcess> {
  const child = fork(CHILD, [], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...(init.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${init.profileDir}`] : [])],
    env: { ...process.env, BENCH_RELAY_INIT: JSON.stringify(init.relay ?? {}), BENCH_RELAY_LOG: init.log ?? 'silent' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let logBytes = 0;
  let errorTail = '';
  child.stdout!.on('data', (chunk: Buffer) => void (logBytes += chunk.length));
  child.stderr!.on('data', (chunk: Buffer) => {
    logBytes += chunk.length;
    errorTail = `${errorTail}${chunk.toString()}`.slice(-2000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`relay child exited with ${code}: ${errorTail}`)));
  });
  /** One request and its answer. Requests are chained, so each answer meets the request that asked for it. */
  let queue: Promise<unknown> = Promise.resolve();
  const ask = <T>(type: string): Promise<T> => {
    const answer = queue.then(() => new Promise<T>((resolve) => {
      child.once('message', (message: T) => resolve(message));
      child.send({ type });
    }));
    queue = answer;
    return answer;
  };
  return {
    child,
    url: `ws://127.0.0.1:${port}/signal`,
    httpUrl: `http://127.0.0.1:${port}`,
    stats: () => ask<RelayChildStats>('stats'),
    loopDelay: () => ask<LoopDelay>('loop'),
    gc: async () => void (await ask('gc')),
    logBytes: () => logBytes,
    close: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.send({ type: 'close' });
    }),
  };
}
