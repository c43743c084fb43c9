/**
 * The real server for the browser figures: dist/ and the relay on one free
 * local port (signaling/http-server.ts, as `npm start` runs it). dist/ is
 * built first when it is missing or older than the sources, so a bench never
 * measures a stale page.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAppServer, type AppServer } from '../../signaling/http-server.ts';
import { BenchError } from './bench-error.ts';

/** Newest modification time under `dir` (recursively), in ms. */
function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when dist/index.html is missing or older than src/, index.html or vite.config.ts. */
export function ensureBuilt(root: string, log: (line: string) => void): void {
  const built = path.join(root, 'dist', 'index.html');
  const sourcesMs = Math.max(newestMtimeMs(path.join(root, 'src')), statSync(path.join(root, 'index.html')).mtimeMs, statSync(path.join(root, 'vite.config.ts')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sourcesMs) return;
  log(existsSync(built) ? 'dist/ is older than the sources; running `npm run build`' : 'dist/ is missing; running `npm run build`');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new BenchError(`npm run build failed (${build.status ?? build.signal})`);
}

/** Starts the page (from `distDir`, default dist/) and relay on a free port of 127.0.0.1; resolves its base URL. */
export async function startAppServer(root: string, distDir = path.join(root, 'dist')): Promise<{ server: AppServer; url: string }> {
  const quiet = { info: () => undefined, warn: () => undefined };
  const server = createAppServer({ port: 0, host: '127.0.0.1', distDir, log: quiet });
  await server.ready;
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

/**
 * Builds the app unminified into a temporary directory (for `--profile`: CPU
 * profiles then name the source's own functions) and returns that directory.
 */
export async function buildUnminifiedApp(root: string): Promise<string> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(path.join(tmpdir(), 'tabmesh-bench-app-'));
  await build({ root, configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true, minify: false, sourcemap: false } });
  return outDir;
}
