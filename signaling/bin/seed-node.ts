/**
 * The embedded seed of `npm start -- --seed` (or TABMESH_SEED=1): one full
 * node (fullnode/bin/tabmesh-node.ts) beside the relay, so a fresh network
 * has an always-on peer that keeps the chain while every tab is closed.
 *
 * It runs as a child process rather than in the server's own: the node loads
 * a native WebRTC library and LevelDB, and a fault in either must not take
 * the page and the relay down with it. Its log lines are passed through with
 * a `seed:` prefix; if it exits on its own it is restarted after
 * RESTART_DELAY_MS (a node refused at start, e.g. another network's data
 * directory, stops being restarted after MAX_QUICK_EXITS quick exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const NODE_BIN = fileURLToPath(new URL('../../fullnode/bin/tabmesh-node.ts', import.meta.url));
/** tsx by its resolved location, so the child loads whatever the server's working directory is. */
const TSX = import.meta.resolve('tsx');
const RESTART_DELAY_MS = 5_000;
/** An exit within this long of starting counts as a refusal to start, not a crash. */
const QUICK_EXIT_MS = 10_000;
const MAX_QUICK_EXITS = 3;
/** How long a seed that got the terminal's SIGINT itself has to finish before it is sent SIGTERM. */
const SIGTERM_AFTER_MS = 2_000;

export interface SeedNodeInit {
  /** The relay of this server, e.g. ws://127.0.0.1:8080/signal. */
  relayUrl: string;
  network: string;
  dataDir: string;
  /** The seed's RPC port (tabmesh-cli finds it in DATA/.cookie either way). */
  rpcPort: number;
}

export interface SeedNode {
  /** SIGTERM, and resolves once it has exited (it flushes its store first). */
  stop(): Promise<void>;
}

export function startSeedNode(init: SeedNodeInit): SeedNode {
  let child: ChildProcess | undefined;
  let stopping = false;
  let quickExits = 0;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;

  const prefixLines = (write: (text: string) => void) => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) write(`seed: ${line}\n`);
    };
  };

  function start(): void {
    const startedAtMs = Date.now();
    const args = ['--import', TSX, NODE_BIN, '--relay', init.relayUrl, '--net', init.network, '--data', init.dataDir, '--rpc-port', String(init.rpcPort)];
    const spawned = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    spawned.stdout!.on('data', prefixLines((text) => process.stdout.write(text)));
    spawned.stderr!.on('data', prefixLines((text) => process.stderr.write(text)));
    spawned.on('exit', (code, signal) => {
      child = undefined;
      if (stopping) return;
      quickExits = Date.now() - startedAtMs < QUICK_EXIT_MS ? quickExits + 1 : 0;
      if (quickExits >= MAX_QUICK_EXITS) {
        console.error(`tabmesh: the seed node exited ${quickExits} times right after starting (last: ${signal ?? `code ${code}`}); not restarting it. Its last lines above say why.`);
        return;
      }
      console.error(`tabmesh: the seed node exited (${signal ?? `code ${code}`}); restarting it in ${RESTART_DELAY_MS / 1000} s`);
      restartTimer = setTimeout(start, RESTART_DELAY_MS);
    });
  }

  start();
  return {
    stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const running = child;
      if (!running) return Promise.resolve();
      return new Promise((resolve) => {
        // Ctrl-C in a terminal signals the whole process group, the seed too, and it is already shutting
        // down; a second signal would make it exit at once (closeOnSignals). So it gets a moment first.
        const term = setTimeout(() => running.kill('SIGTERM'), SIGTERM_AFTER_MS);
        running.once('exit', () => {
          clearTimeout(term);
          resolve();
        });
      });
    },
  };
}
