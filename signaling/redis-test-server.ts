/**
 * A throwaway redis-server for tests and benchmarks (Debian's redis-server,
 * installed by .ci/run): on a free loopback port, with no persistence, stopped
 * by its pid. restart() brings it back on the same port, empty, as after a crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface RedisTestServer {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL, like a crash) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks it). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function launch(port: number, binary: string): Promise<ChildProcess> {
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} not ready within 5 s: ${output.slice(-500)}`));
    }, 5_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary} (apt-get install redis-server): ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
  });
}

/** Starts redis-server on a free loopback port (`REDIS_SERVER` overrides the binary). */
export async function startRedisServer(binary = process.env.REDIS_SERVER ?? 'redis-server'): Promise<RedisTestServer> {
  const port = await freeLoopbackPort();
  let child: ChildProcess | undefined = await launch(port, binary);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null || running.pid === undefined) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      process.kill(running.pid, 'SIGKILL');
      await exited;
    },
    async restart() {
      if (child !== undefined) return;
      child = await launch(port, binary);
    },
  };
}
