/**
 * The server a demo runs against: one already answering at a URL, or the
 * built page and relay served on a free port for the run's length (building
 * dist/ first when it is missing), stopped again when the demo ends.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppServer, type AppServer } from '../../signaling/http-server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST_DIR = path.join(ROOT, 'dist');
const quiet = { info: () => undefined, warn: () => undefined };

/** True when `url`/healthz answers 2xx within 2 s. */
export async function isServing(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch (error) {
    if (error instanceof TypeError || (error instanceof DOMException && error.name === 'TimeoutError')) return false;
    throw error;
  }
}

/** Builds dist/ when it has no index.html; throws with the build's exit status when that fails. */
export function ensureBuilt(): void {
  if (existsSync(path.join(DIST_DIR, 'index.html'))) return;
  console.log('demo: dist/ is missing; running `npm run build`');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build failed (${build.status ?? build.signal})`);
}

export interface OwnServer {
  readonly origin: string;
  readonly port: number;
  /** Stops the page server and its relay (tabs see "relay offline"). */
  stop(): Promise<void>;
  /** Serves again on the same port, so tabs' relay clients reconnect by themselves. */
  restart(): Promise<void>;
  readonly running: boolean;
}

/** Serves `distDir` (default dist/, built when missing) and the relay on `port` (0: a free one) at 127.0.0.1. */
export async function startOwnServer(port = 0, distDir = DIST_DIR): Promise<OwnServer> {
  if (distDir === DIST_DIR) ensureBuilt();
  let server: AppServer | undefined = createAppServer({ port, host: '127.0.0.1', distDir, log: quiet });
  await server.ready;
  const bound = server.address().port;
  return {
    origin: `http://127.0.0.1:${bound}`,
    port: bound,
    get running() {
      return server !== undefined;
    },
    async stop() {
      const stopping = server;
      server = undefined;
      await stopping?.close();
    },
    async restart() {
      if (server) return;
      server = createAppServer({ port: bound, host: '127.0.0.1', distDir, log: quiet });
      await server.ready;
    },
  };
}
