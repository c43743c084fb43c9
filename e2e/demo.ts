/**
 * `npm run demo -- <scenario> [--headed] [--slow-mo MS] [--tabs N] [--out DIR] [--url URL]`
 * `npm run demo -- --list`
 *
 * Runs one scenario (e2e/scenarios/) over real Chromium tabs (and a Firefox tab in cross-browser): the console
 * narrates each step with its timing, a caption on each page says what is
 * happening, headed runs lay the tabs out as a grid of windows, and the run
 * leaves a storyboard at DIR/index.html (default demo-output/<scenario>/).
 *
 * When nothing answers at URL (default http://localhost:8080) the demo serves
 * the built page itself on a free port, and stops it at the end.
 *
 * Exit status: 0 the claim held; 1 a fact failed (named on the last line);
 * 2 bad usage; 3 skipped: a prerequisite is missing (never a pass).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from '@playwright/test';
import { runScenario } from './demo/run-scenario.ts';
import { isServing, startOwnServer, type OwnServer } from './demo/server.ts';
import { CHROMIUM_ARGS, findChromium } from './harness/chromium.ts';
import { SCENARIOS } from './scenarios/index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EXIT = { pass: 0, fail: 1, usage: 2, skipped: 3 } as const;
const MAX_TABS = 16;
/** Headed runs pause this long after each step unless --slow-mo says otherwise: time to read a caption. */
const HEADED_PAUSE_MS = 1_500;

const USAGE = 'usage: npm run demo -- <scenario> [--headed] [--slow-mo MS] [--tabs N] [--out DIR] [--url URL]\n       npm run demo -- --list';

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function readOptions() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      list: { type: 'boolean', default: false },
      headed: { type: 'boolean', default: false },
      'slow-mo': { type: 'string' },
      tabs: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string', default: 'http://localhost:8080' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return { help: true as const };
  if (values.list) return { list: true as const };
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name a scenario (npm run demo -- --list shows them)' : `one scenario at a time, got ${positionals.join(' ')}`);
  const scenario = SCENARIOS.find((s) => s.name === positionals[0]);
  if (!scenario) throw new UsageError(`no scenario "${positionals[0]}"; there are: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const tabs = values.tabs === undefined ? undefined : Number(values.tabs);
  if (tabs !== undefined && (!Number.isInteger(tabs) || tabs < scenario.minTabs || tabs > MAX_TABS)) {
    throw new UsageError(`--tabs for ${scenario.name} must be an integer from ${scenario.minTabs} to ${MAX_TABS}, got ${values.tabs}`);
  }
  const slowMoMs = values['slow-mo'] === undefined ? (values.headed ? HEADED_PAUSE_MS : 0) : Number(values['slow-mo']);
  if (!Number.isInteger(slowMoMs) || slowMoMs < 0 || slowMoMs > 60_000) throw new UsageError(`--slow-mo must be milliseconds from 0 to 60000, got ${values['slow-mo']}`);
  const url = values.url.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must be an http(s) URL, got ${url}`);
  const outDir = path.resolve(values.out ?? path.join(ROOT, 'demo-output', scenario.name));
  return { scenario, tabs, headed: values.headed, slowMoMs, url, outDir };
}

async function main(): Promise<number> {
  const options = readOptions();
  if ('help' in options) {
    console.log(USAGE);
    return EXIT.pass;
  }
  if ('list' in options) {
    const width = Math.max(...SCENARIOS.map((s) => s.name.length));
    for (const s of SCENARIOS) {
      const missing = s.prerequisiteMissing?.();
      console.log(`${s.name.padEnd(width)}  ${s.claim}${missing ? ` [skipped here: ${missing}]` : ''}`);
    }
    return EXIT.pass;
  }
  let server: OwnServer | undefined;
  let browser: Browser | undefined;
  const interrupt = () => {
    void browser?.close();
    void server?.stop();
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  try {
    let origin = options.url;
    if (await isServing(origin)) {
      console.log(`demo: using the server at ${origin}`);
    } else {
      server = await startOwnServer();
      origin = server.origin;
      console.log(`demo: nothing answered at ${options.url}; serving dist/ at ${origin} until the demo ends`);
    }
    browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: !options.headed });
    const result = await runScenario(options.scenario, { browser, origin, tabs: options.tabs, headed: options.headed, slowMoMs: options.slowMoMs, outDir: options.outDir });
    console.log(`demo: storyboard at ${path.relative(process.cwd(), result.storyboard!) || result.storyboard}`);
    return EXIT[result.verdict];
  } finally {
    process.off('SIGINT', interrupt);
    await browser?.close();
    await server?.stop();
  }
}

// process.exit, not exitCode: a child the scenario started and failed to stop must not keep the demo alive.
try {
  process.exit(await main());
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`demo: ${error.message}\n${USAGE}`);
    process.exit(EXIT.usage);
  }
  console.error(`demo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exit(EXIT.fail);
}
