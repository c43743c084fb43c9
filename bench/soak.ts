/**
 * `npm run soak -- --minutes N --tabs K --rate R`: the soak (issue 23 §6;
 * docs/PERFORMANCE.md, "Soak"). Serves a private copy of dist/ with the relay,
 * opens K headless Chromium tabs on one test network, holds R transactions a
 * second over them with blocks mined, and churns (a tab replaced, a link
 * dropped) for N minutes. Prints delivery, heap and IndexedDB growth per hour,
 * links opened and RTCPeerConnections created per tab, each beside its limit
 * or goal, at every interval and at the end; writes bench/results/soak.json.
 *
 * Other flags: --anchors A (tabs never replaced; default ⌈K/3⌉), --links D
 * (target degree; default 3, below the tab count so feelers and rotation run
 * as in a large network), --churn-every S, --drop-every S, --block-every S,
 * --report-every S (seconds; 0 turns churn or drops off), --seed N, --out FILE.
 *
 * Exits 1 when the run could not be made or delivery was below 100% or a tab
 * created more RTCPeerConnections than its churn explains (report.ts); missed
 * growth goals are printed, not fatal.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuilt, startAppServer } from './lib/app-server.ts';
import { removeSnapshot, snapshotDist } from './lib/dist-snapshot.ts';
import { launchBrowser } from './lib/tabs.ts';
import { printFinal } from './soak/report.ts';
import { runSoak, type SoakOptions } from './soak/run-soak.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function readOptions(): { options: SoakOptions; out: string } {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '20' },
      tabs: { type: 'string', default: '6' },
      rate: { type: 'string', default: '5' },
      anchors: { type: 'string' },
      links: { type: 'string', default: '3' },
      'churn-every': { type: 'string', default: '60' },
      'drop-every': { type: 'string', default: '60' },
      'block-every': { type: 'string', default: '10' },
      'report-every': { type: 'string', default: '60' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: path.join(ROOT, 'bench/results/soak.json') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run soak -- [--minutes 20] [--tabs 6] [--rate 5] [--anchors A] [--links 3] [--churn-every 60] [--drop-every 60] [--block-every 10] [--report-every 60] [--seed 1] [--out FILE]');
    process.exit(0);
  }
  const number = (name: keyof typeof values, min: number): number => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min} (got ${String(values[name])})`);
    return value;
  };
  const tabs = number('tabs', 2);
  const anchors = values.anchors === undefined ? Math.ceil(tabs / 3) : number('anchors', 1);
  if (anchors > tabs) throw new Error(`--anchors ${anchors} is more than --tabs ${tabs}`);
  const minutes = number('minutes', 0.1);
  const reportEveryS = number('report-every', 1);
  return {
    options: {
      minutes, tabs, anchors,
      ratePerSec: number('rate', 0.1),
      links: number('links', 1),
      churnEveryMs: number('churn-every', 0) * 1000,
      dropEveryMs: number('drop-every', 0) * 1000,
      blockEveryMs: number('block-every', 1) * 1000,
      reportEveryMs: reportEveryS * 1000,
      // A transaction is due everywhere a block interval and a link set-up after it was sent.
      graceMs: Math.max(15_000, 2 * number('block-every', 1) * 1000),
      drainTimeoutMs: 60_000,
      seed: number('seed', 0),
    },
    out: values.out,
  };
}

/** The commit the served page was built from, and how many files under src/ differed from it (other work in the tree). */
function buildOf(): { commit: string; uncommittedSrcFiles: number } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedSrcFiles: git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length };
}

async function main(): Promise<number> {
  const { options, out } = readOptions();
  ensureBuilt(ROOT, console.log);
  const build = buildOf();
  // A private copy: other work rebuilds dist/ while a soak serves it for minutes (lib/dist-snapshot.ts).
  const distCopy = await snapshotDist(path.join(ROOT, 'dist'));
  const { server, url } = await startAppServer(ROOT, distCopy);
  const browser = await launchBrowser();
  try {
    const result = await runSoak(browser, url, options, console.log);
    printFinal(result, console.log);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify({ build, ...result }, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
    const failed = result.delivery.delivered !== result.delivery.sent || result.delivery.sent === 0 || result.figures.tabsOverPcBound.length > 0;
    return failed ? 1 : 0;
  } finally {
    await browser.close();
    await server.close();
    removeSnapshot(distCopy);
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exit(1);
});
