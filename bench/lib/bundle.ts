/**
 * Bench-only browser code, bundled with Vite's build API (as
 * e2e/store-contract.spec.ts does): the agent installed in every app tab
 * (bench/page/agent.ts, one IIFE string) and the verification page
 * (bench/page/verify.html, a normal multi-file build into a temporary
 * directory, because the verifier pool starts its workers from separate
 * chunks with `new Worker(new URL(...))`).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { bundleInMemory } from '../../e2e/harness/bundle.ts';
import { BenchError } from './bench-error.ts';

/** The agent as one self-contained script, for context.addInitScript({content}). */
export function bundleAgent(root: string): Promise<string> {
  return bundleInMemory({ root, entry: path.join(root, 'bench/page/agent.ts'), format: 'iife', name: 'tabmeshBenchAgent' });
}

/**
 * Builds bench/page/headless (the app's peer with no view) into a fresh
 * temporary directory with an index.html, to be served by createAppServer
 * like dist/.
 */
export async function buildHeadlessApp(root: string, minify = true): Promise<string> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'tabmesh-bench-headless-'));
  await build({
    configFile: false,
    root: path.join(root, 'bench/page/headless'),
    logLevel: 'warn',
    publicDir: false,
    base: '/',
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false, minify },
  });
  return outDir;
}

/** Builds the verification page into a fresh temporary directory; returns that directory (its index is verify.html). */
export async function buildVerifyPage(root: string): Promise<string> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'tabmesh-bench-verify-'));
  await build({
    configFile: false,
    root: path.join(root, 'bench/page'),
    logLevel: 'warn',
    publicDir: false,
    base: '/',
    worker: { format: 'es' },
    build: {
      outDir,
      emptyOutDir: true,
      minify: true,
      sourcemap: false,
      target: 'es2022',
      rollupOptions: { input: path.join(root, 'bench/page/verify.html') },
    },
  });
  if (!readFileSync(path.join(outDir, 'verify.html'), 'utf8').includes('<script')) throw new BenchError(`the verify page build in ${outDir} has no script`);
  return outDir;
}
