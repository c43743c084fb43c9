/**
 * Figure 1, signature verification: raw WebCrypto, noble and the app's
 * verifier pool in one page (bench/page/verify-main.ts), served from a
 * temporary Vite build through page.route on a made-up `.localhost` origin (a
 * secure context, so WebCrypto is there; e2e/store-contract.spec.ts does the
 * same).
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import type { VerifyBenchOptions, VerifyBenchResult, VerifyVariant } from '../page/verify-main.ts';
import { BenchError } from '../lib/bench-error.ts';
import { buildVerifyPage } from '../lib/bundle.ts';
import { median, round } from '../lib/summary.ts';

const ORIGIN = 'http://bench-verify.localhost';
const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

export interface VerifyFigure {
  options: VerifyBenchOptions;
  hardwareConcurrency: number;
  poolWorkers: number;
  poolBackend: string;
  /** Median verifications per second over rounds. */
  medianPerSecond: Record<VerifyVariant, number>;
  perRound: VerifyBenchResult['perSecond'];
  /** The faster of the two raw WebCrypto loops: the limit the pool is judged against. */
  rawPerSecond: number;
  poolOverRaw: number;
  nobleOverRaw: number;
  singleRoundTripUs: number;
  allAgreed: boolean;
}

export async function measureVerify(browser: Browser, root: string, options: VerifyBenchOptions): Promise<VerifyFigure> {
  const dir = await buildVerifyPage(root);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.route(`${ORIGIN}/**`, (route) => {
      const { pathname } = new URL(route.request().url());
      const file = path.join(dir, pathname === '/' ? 'verify.html' : pathname);
      if (!file.startsWith(dir)) return route.fulfill({ status: 404, body: 'not found' });
      try {
        return route.fulfill({ contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
      } catch {
        return route.fulfill({ status: 404, body: 'not found' });
      }
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => typeof window.runVerifyBench === 'function');
    const result = await page.evaluate((opts) => window.runVerifyBench(opts), options);
    if (errors.length > 0) throw new BenchError(`the verify page failed: ${errors.join('; ')}`);
    const medianPerSecond = Object.fromEntries(Object.entries(result.perSecond).map(([variant, rates]) => [variant, Math.round(median(rates))])) as Record<VerifyVariant, number>;
    const rawPerSecond = Math.max(medianPerSecond['raw-seq'], medianPerSecond['raw-batch']);
    return {
      options,
      hardwareConcurrency: result.hardwareConcurrency,
      poolWorkers: result.poolWorkers,
      poolBackend: result.poolBackend,
      medianPerSecond,
      perRound: result.perSecond,
      rawPerSecond,
      poolOverRaw: round(medianPerSecond.pool / rawPerSecond, 2),
      nobleOverRaw: round(medianPerSecond.noble / rawPerSecond, 3),
      singleRoundTripUs: Math.round(median(result.singleRoundTripUs)),
      allAgreed: result.allAgreed,
    };
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
