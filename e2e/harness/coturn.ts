/**
 * A real coturn (Debian package `coturn`, installed by .ci/run) on loopback,
 * for the TURN e2e test. It authenticates with the TURN REST API scheme
 * (`--use-auth-secret`), the same as a deployment configured per README,
 * "STUN and TURN with coturn", so the credentials our server mints are the
 * ones under test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Coturn {
  /** The listening port (UDP and TCP) on 127.0.0.1. */
  port: number;
  /** The turn: URL a page dials. */
  url: string;
  pid: number;
  /** What coturn printed, for a failing test's message. */
  output(): string;
  /** Stops this coturn by its pid (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the kernel's choice for port 0). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts `turnserver` and resolves once it accepts TCP on its port; rejects with coturn's output if it does not in 10 s. */
export async function startCoturn(secret: string): Promise<Coturn> {
  const port = await freePort();
  // Relay ports: a random block of 200 in the dynamic range, above the kernel's ephemeral range (32768-60999).
  const minPort = 61_000 + Math.floor(Math.random() * 20) * 200;
  const workDir = mkdtempSync(path.join(tmpdir(), 'tabmesh-coturn-'));
  const args = [
    '-n', // no config file: every setting is on this line
    '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=tabmesh',
    '--allow-loopback-peers', // the tabs' relayed addresses are on 127.0.0.1 too
    '--no-tls', '--no-dtls', '--no-cli', `--min-port=${minPort}`, `--max-port=${minPort + 199}`,
    '--log-file=stdout', '--simple-log', `--pidfile=${path.join(workDir, 'turnserver.pid')}`,
  ];
  const child = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      const killer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(workDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    const failed = await Promise.race([spawnFailed, new Promise<undefined>((resolve) => setTimeout(resolve, 100))]);
    if (failed) throw new Error(`cannot start turnserver (apt-get install coturn): ${failed.message}`);
    if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}:\n${output}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`turnserver did not listen on ${port} within 10 s:\n${output}`);
    }
  }
  return { port, url: `turn:127.0.0.1:${port}?transport=udp`, pid: child.pid!, output: () => output, stop };
}
