/**
 * A private copy of dist/ for a figure that serves the page for minutes.
 * Other work on this machine runs `npm run build` while the bench runs, and
 * Vite empties dist/ before writing it again: a page loading in that moment
 * finds its scripts missing and never starts, and a page that loaded the
 * old index.html asks for chunks the new build renamed. (Node-to-tab runs
 * here waited 240 s for tabs that never started, in minutes when dist/ was
 * rebuilt under the server.) A copy is whole when every script and
 * stylesheet index.html names is in it; one caught mid-build is taken again.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BenchError } from './bench-error.ts';

const ATTEMPTS = 10;
/** A build takes a few seconds here; ten tries two seconds apart outlast one. */
const RETRY_MS = 2_000;

/** The assets index.html in `dir` names (its /assets/… script and link URLs) that are not in `dir`. */
function missingAssets(dir: string): string[] {
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) return ['index.html'];
  const names = [...readFileSync(index, 'utf8').matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((match) => match[1]!);
  return names.filter((name) => !existsSync(path.join(dir, name)));
}

/** Copies `distDir` into a new temporary directory and returns it; the caller removes it (removeSnapshot). */
export async function snapshotDist(distDir: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const copy = mkdtempSync(path.join(tmpdir(), 'tabmesh-bench-dist-'));
    cpSync(distDir, copy, { recursive: true });
    const missing = missingAssets(copy);
    if (missing.length === 0) return copy;
    rmSync(copy, { recursive: true, force: true });
    if (attempt === ATTEMPTS) throw new BenchError(`dist/ stayed incomplete over ${ATTEMPTS} copies (missing ${missing.slice(0, 3).join(', ')}): is a build failing?`);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

export const removeSnapshot = (dir: string): void => rmSync(dir, { recursive: true, force: true });
