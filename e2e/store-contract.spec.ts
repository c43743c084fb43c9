/**
 * The LedgerStore contract on Chromium's real IndexedDB (GUIDE, "Tests, in
 * tiers", 2; issue 3, "Persistence"). The cases are the ones vitest runs
 * against memory and fake-indexeddb (src/storage/ledger-store.contract.ts):
 * Vite bundles e2e/store-contract/runner.ts in memory, page.route serves it
 * on a made-up origin, and the page runs every case and reports each one.
 *
 * The origin is `http://store-contract.localhost`: a `.localhost` name is a
 * secure context (WebCrypto needs one), and route-fulfilled pages get real,
 * per-origin IndexedDB without any server behind them.
 */
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { ledgerStoreContractCases } from '../src/storage/ledger-store.contract.ts';
import { bundleInMemory } from './harness/bundle.ts';
import { BROWSER_ONLY_PREFIX, type CaseResult } from './store-contract/runner.ts';

const ORIGIN = 'http://store-contract.localhost';
const RUNNER = fileURLToPath(new URL('./store-contract/runner.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGE = '<!doctype html><meta charset="utf-8"><title>LedgerStore contract</title>';

let runnerJs: string;

test.beforeAll(async () => {
  runnerJs = await bundleInMemory({ root: ROOT, entry: RUNNER, format: 'es' });
});

test('the LedgerStore contract passes on real IndexedDB in Chromium', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.route(`${ORIGIN}/**`, (route) => {
    const { pathname } = new URL(route.request().url());
    if (pathname === '/') return route.fulfill({ contentType: 'text/html', body: PAGE });
    if (pathname === '/runner.js') return route.fulfill({ contentType: 'text/javascript', body: runnerJs });
    return route.fulfill({ status: 404, body: 'not found' });
  });
  await page.goto(`${ORIGIN}/`);
  expect(await page.evaluate(() => window.isSecureContext && typeof indexedDB === 'object'), 'the page has WebCrypto and IndexedDB').toBe(true);

  const results: CaseResult[] = await page.evaluate(async (url) => {
    const runner = await import(url);
    return runner.runStoreContract();
  }, '/runner.js');

  const failures = results.filter((result) => !result.ok);
  expect(failures.map((f) => f.name), `failing cases:\n\n${failures.map((f) => `✗ ${f.name}\n${f.error}`).join('\n\n')}`).toEqual([]);
  expect(pageErrors, 'uncaught errors in the page').toEqual([]);

  // Exactly the cases the Node suite runs, in its order; none skipped or lost in the bundle.
  const nodeCases = ledgerStoreContractCases().map((contractCase) => contractCase.name);
  const shared = results.filter((result) => !result.name.startsWith(BROWSER_ONLY_PREFIX)).map((result) => result.name);
  expect(shared).toHaveLength(nodeCases.length);
  expect(shared).toEqual(nodeCases);
  expect(results.map((result) => result.name)).toContain(`${BROWSER_ONLY_PREFIX} a non-extractable Ed25519 CryptoKey survives close and reopen and still signs`);
  expect(results.map((result) => result.name)).toContain(`${BROWSER_ONLY_PREFIX} a version-2 database opens at version 3 with its transaction locations moved into blockTxs`);
  console.log(`LedgerStore contract on Chromium IndexedDB: ${shared.length} shared + ${results.length - shared.length} browser-only cases passed in ${results.reduce((ms, r) => ms + r.ms, 0)} ms`);
});
