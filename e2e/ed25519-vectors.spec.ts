/**
 * Consensus across browsers (issue 23, part 2): every case of the public
 * Ed25519 suites (test/fixtures/ed25519/) goes through the built verify worker
 * (dist/assets/verify-worker-*.js, the file a tab runs) in Chromium and in
 * Firefox ESR, and each verdict must equal expected-verdicts.json, the same
 * pinned file src/crypto/ed25519-vectors.test.ts checks noble and WebCrypto
 * against in Node. The worker picks its backend the way a tab does, so this
 * checks BoringSSL's and NSS's WebCrypto behind tabmesh's pre-checks
 * (src/crypto/ed25519-rules.ts).
 *
 * The page is the server's 404 page on the app's origin, not the app, so no
 * peer starts and competes for the machine's 2 cores; the worker is the
 * app's own. Firefox is Debian's firefox-esr driven by puppeteer-core over
 * WebDriver BiDi (harness/firefox.ts); without it the Firefox test fails
 * rather than skip, as the cross-browser scenario does.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { allVectorCases, readExpectedVerdicts } from '../test/fixtures/ed25519/vector-suites.ts';
import { launchFirefox } from './harness/firefox.ts';
import { MAX_REQUEST_ITEMS } from '../src/worker/verify-protocol.ts';

interface PageInput {
  workerUrl: string;
  cases: { publicKey: string; message: string; signature: string }[];
  maxItems: number;
}

interface PageResult {
  userAgent: string;
  backends: string[];
  verdicts: boolean[];
  /** Raw WebCrypto with no pre-checks ('throws <name>' when import or verify threw): shows what the pre-checks change. */
  raw: (boolean | string)[];
  ms: number;
}

/**
 * Runs in the page (serialized, so it must be self-contained): sends every
 * case to a fresh verify worker in requests of at most maxItems, as the
 * verifier pool does, and also asks the browser's WebCrypto directly.
 */
async function verifyInPage(input: PageInput): Promise<PageResult> {
  const bytes = (hex: string): Uint8Array<ArrayBuffer> => Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
  const items = input.cases.map((c) => ({ publicKey: bytes(c.publicKey), message: bytes(c.message), signature: bytes(c.signature) }));
  const started = performance.now();
  const worker = new Worker(input.workerUrl, { type: 'module', name: 'tabmesh-verify' });
  const chunks = Math.ceil(items.length / input.maxItems);
  const replies = await new Promise<{ id: number; ok: boolean; results?: boolean[]; backend?: string; reason?: string; detail?: string }[]>((resolve, reject) => {
    const got: { id: number; ok: boolean }[] = [];
    worker.addEventListener('error', (event) => reject(new Error(`verify worker error: ${event.message}`)));
    worker.addEventListener('message', (event: MessageEvent) => {
      got.push(event.data);
      if (got.length === chunks) resolve(got);
    });
    for (let id = 0; id < chunks; id++) worker.postMessage({ id, items: items.slice(id * input.maxItems, (id + 1) * input.maxItems) });
  });
  worker.terminate();
  const ms = Math.round(performance.now() - started);
  replies.sort((a, b) => a.id - b.id);
  const failed = replies.find((reply) => !reply.ok);
  if (failed) throw new Error(`verify worker refused request ${failed.id}: ${failed.reason} ${failed.detail}`);
  const raw: (boolean | string)[] = [];
  for (const item of items) {
    try {
      const key = await crypto.subtle.importKey('raw', item.publicKey, { name: 'Ed25519' }, false, ['verify']);
      raw.push(await crypto.subtle.verify({ name: 'Ed25519' }, key, item.signature, item.message));
    } catch (error) {
      // Refusing to import or verify is an answer here (a rejection), and it is what is being counted.
      raw.push(`throws ${error instanceof Error ? error.name : String(error)}`);
    }
  }
  return { userAgent: navigator.userAgent, backends: [...new Set(replies.map((reply) => reply.backend ?? ''))], verdicts: replies.flatMap((reply) => reply.results ?? []), raw, ms };
}

const cases = allVectorCases();
const expected = readExpectedVerdicts().verdicts;
const input = (): PageInput => {
  const assets = fileURLToPath(new URL('../dist/assets/', import.meta.url));
  const workers = readdirSync(assets).filter((name) => /^verify-worker-[\w-]+\.js$/.test(name));
  if (workers.length !== 1) throw new Error(`expected one built verify worker in dist/assets, found ${workers.join(', ') || 'none'}: run npm run build`);
  return { workerUrl: `/assets/${workers[0]}`, cases: cases.map(({ publicKey, message, signature }) => ({ publicKey, message, signature })), maxItems: MAX_REQUEST_ITEMS };
};
/** A path on the app's origin with a file extension and no file: sirv answers 404 text, not the app. */
const BLANK_PATH = '/ed25519-vectors.txt';

/** Raw answers per browser, for the cross-browser comparison logged by the second test. */
const rawByBrowser = new Map<string, PageResult['raw']>();

function checkVerdicts(browser: string, result: PageResult): void {
  expect(result.backends, `${browser}'s verify worker uses the browser's own WebCrypto`).toEqual(['webcrypto']);
  expect(result.verdicts).toHaveLength(cases.length);
  const differing = cases.flatMap((c, i) => (result.verdicts[i] === expected[c.id] ? [] : [`${c.id}: ${browser} ${result.verdicts[i]}, expected ${expected[c.id]} (${c.note})`]));
  expect(differing, `${browser}'s verify worker disagrees with expected-verdicts.json`).toEqual([]);
  const rawDiffers = cases.filter((c, i) => (result.raw[i] === true) !== expected[c.id]).length;
  rawByBrowser.set(browser, result.raw);
  console.log(`${browser} (${result.userAgent}): ${cases.length} cases through the verify worker in ${result.ms} ms, all as expected; raw WebCrypto without tabmesh's pre-checks would decide ${rawDiffers} differently`);
}

test.describe('Ed25519 edge vectors in the verify worker', () => {
  test.describe.configure({ timeout: 60_000 });

  test('Chromium gives the pinned verdict on all 1,273 cases', async ({ page, baseURL }) => {
    await page.goto(`${baseURL}${BLANK_PATH}`);
    const result = await page.evaluate(verifyInPage, input());
    expect(result.userAgent).toMatch(/Chrome\/\d+/);
    checkVerdicts('Chromium', result);
  });

  test('Firefox ESR gives the pinned verdict on all 1,273 cases', async ({ baseURL }) => {
    const firefox = await launchFirefox();
    try {
      const page = await firefox.newPage();
      await page.goto(`${baseURL}${BLANK_PATH}`);
      const result = await page.evaluate(verifyInPage, input());
      expect(result.userAgent).toMatch(/Firefox\/\d+/);
      checkVerdicts('Firefox', result);
    } finally {
      await firefox.close();
    }
    const chromiumRaw = rawByBrowser.get('Chromium');
    const firefoxRaw = rawByBrowser.get('Firefox')!;
    if (chromiumRaw) {
      const split = cases.filter((_, i) => (chromiumRaw[i] === true) !== (firefoxRaw[i] === true)).map((c) => c.id);
      console.log(`raw WebCrypto, Chromium vs Firefox: ${split.length} of ${cases.length} cases decided differently (${split.slice(0, 8).join(', ')}${split.length > 8 ? ', ...' : ''}); behind the pre-checks, none`);
    }
  });
});
