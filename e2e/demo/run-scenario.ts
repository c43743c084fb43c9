/**
 * Runs one scenario over real tabs and gives its verdict (issue 21). The demo
 * command and the scenario's spec both call this: the demo with captions
 * shown slowly, windows in a grid and a storyboard written; the spec headless
 * and fast. A failed fact ends the run with verdict 'fail' naming it; a
 * missing prerequisite gives 'skipped', which is never a pass.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from '@playwright/test';
import type { Browser as FirefoxBrowser } from 'puppeteer-core';
import { launchFirefox } from '../harness/firefox.ts';
import { showCaption } from './caption.ts';
import { ClaimFailed, type AnyTab, type Caption, type OpenTabsInit, type ProbeAnswer, type Scenario, type ScenarioContext, type Tab, type TabPage } from './scenario.ts';
import { writeStoryboard, type FactRecord, type RunRecord, type StepRecord } from './storyboard.ts';
import { placeWindow } from './window-grid.ts';

export interface RunInit {
  browser: Browser;
  /** Where tabs load from, e.g. http://127.0.0.1:8080. */
  origin: string;
  /** Tab count; the scenario's default when absent. */
  tabs?: number;
  /** Windows in a grid, and the viewport follows the window. */
  headed?: boolean;
  /** A pause after each step, so a person can read the captions. */
  slowMoMs?: number;
  /** The storyboard directory (emptied first); none in tests. */
  outDir?: string;
  /** Narration; the spec passes a quiet one. */
  log?: (line: string) => void;
}

export interface RunResult extends RunRecord {
  storyboard?: string;
}

/** A tab becomes ready in 1-3 s here; links and gossip in a few seconds. */
const READY_TIMEOUT_MS = 30_000;
const CHECK_TIMEOUT_MS = 30_000;
const POLL_MS = 200;
const VIEWPORT = { width: 1280, height: 800 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `scenario` and resolves its record; never rejects for a failed claim. */
export async function runScenario(scenario: Scenario, init: RunInit): Promise<RunResult> {
  const log = init.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const network = `test-${scenario.name}-${randomBytes(4).toString('hex')}`.slice(0, 32);
  const tabCount = Math.max(scenario.minTabs, init.tabs ?? scenario.defaultTabs);
  const steps: StepRecord[] = [];
  const record: RunResult = { scenario: scenario.name, claim: scenario.claim, verdict: 'pass', network, startedAt: new Date(started), durationMs: 0, steps };
  const elapsed = () => Date.now() - started;
  const stamp = () => `[${(elapsed() / 1000).toFixed(1).padStart(6)} s]`;
  if (init.outDir) {
    rmSync(init.outDir, { recursive: true, force: true });
    mkdirSync(init.outDir, { recursive: true });
  }

  const tabs: AnyTab[] = [];
  const contexts = new Map<AnyTab, BrowserContext>();
  let shared: BrowserContext | undefined;
  /** Started by the first Firefox tab a scenario asks for. */
  let firefox: FirefoxBrowser | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  const captions = new Map<AnyTab, string>();
  /** Facts and notes go to the step under way, or to a "Set-up" step before the first one. */
  let current: StepRecord | undefined;
  const currentStep = (): StepRecord => {
    if (!current) {
      current = { index: steps.length + 1, title: 'Set-up', captions: [], startedMs: elapsed(), durationMs: 0, shots: [], facts: [], notes: [], failed: false };
      steps.push(current);
    }
    return current;
  };
  const openTabsOf = () => tabs.filter((tab) => !tab.page.isClosed());

  async function newContext(): Promise<BrowserContext> {
    return init.browser.newContext(init.headed ? { viewport: null } : { viewport: VIEWPORT });
  }

  async function takeShots(step: StepRecord): Promise<void> {
    if (!init.outDir) return;
    for (const tab of openTabsOf()) {
      const file = `step-${String(step.index).padStart(2, '0')}-${tab.label.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}.png`;
      try {
        await tab.page.screenshot({ path: path.join(init.outDir, file), timeout: 10_000 });
        step.shots.push({ label: tab.label, file });
      } catch (error) {
        step.notes.push(`no screenshot of ${tab.label}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
  }

  const tabUrl = (options: OpenTabsInit) => `${options.origin ?? init.origin}/?${new URLSearchParams({ net: network, ...options.params })}`;

  /** Loads the network in `page`, waits until its peer is ready, and adds it as the next tab with the step's caption. */
  async function settle<P extends TabPage>(page: P & { goto(url: string): Promise<unknown> }, label: string, url: string): Promise<Tab<P>> {
    await page.goto(url);
    await Promise.race([
      page.evaluate(() => window.tabmesh.ready()),
      sleep(READY_TIMEOUT_MS).then(() => {
        throw new ClaimFailed(`${label} starts`, `not ready after ${READY_TIMEOUT_MS / 1000} s`);
      }),
    ]);
    const tab: Tab<P> = { label, page, id: await page.evaluate(() => window.tabmesh.id) };
    tabs.push(tab);
    const caption = current?.captions.find((c) => c.label === label)?.text ?? current?.captions[0]?.text;
    if (caption) await showCaption(page, label, caption);
    return tab;
  }

  const ctx: ScenarioContext = {
    origin: init.origin,
    relayUrl: `${init.origin.replace(/^http/, 'ws')}/signal`,
    network,
    tabCount,
    browser: init.browser,
    get tabs() {
      return tabs;
    },
    async openTabs(count: number, options: OpenTabsInit = {}) {
      const opened: Tab[] = [];
      for (let n = 0; n < count; n++) {
        const context = options.isolated ? await newContext() : (shared ??= await newContext());
        const page = await context.newPage();
        const label = `tab ${tabs.length + 1}`;
        page.on('pageerror', (error) => log(`${stamp()}   ${label} page error: ${error.message}`));
        if (options.initScript) await page.addInitScript(options.initScript);
        if (init.headed) await placeWindow(page, tabs.length, Math.max(tabCount, tabs.length + 1));
        const tab = await settle(page, label, tabUrl(options));
        if (options.isolated) contexts.set(tab, context);
        opened.push(tab);
      }
      return opened;
    },
    async openFirefoxTabs(count: number, options: Pick<OpenTabsInit, 'params'> = {}) {
      firefox ??= await launchFirefox({ headed: init.headed });
      const opened: AnyTab[] = [];
      for (let n = 0; n < count; n++) {
        const page = await firefox.newPage();
        const label = `tab ${tabs.length + 1} (Firefox)`;
        page.on('pageerror', (error) => log(`${stamp()}   ${label} page error: ${error instanceof Error ? error.message : String(error)}`));
        opened.push(await settle(page, label, tabUrl(options)));
      }
      return opened;
    },
    async closeTabs(closing) {
      for (const tab of closing) {
        const own = contexts.get(tab);
        if (own) await own.close();
        else await tab.page.close();
      }
    },
    async step(title: string, caption: Caption, action: () => Promise<void>) {
      const step: StepRecord = { index: steps.length + 1, title, captions: [], startedMs: elapsed(), durationMs: 0, shots: [], facts: [], notes: [], failed: false };
      steps.push(step);
      current = step;
      const text = (tab: AnyTab, index: number) => (typeof caption === 'string' ? caption : caption(tab, index)) ?? captions.get(tab) ?? '';
      log(`${stamp()} step ${step.index}: ${title}${typeof caption === 'string' ? ` — ${caption}` : ''}`);
      const showAll = async () => {
        for (const [index, tab] of openTabsOf().entries()) {
          captions.set(tab, text(tab, index));
          await showCaption(tab.page, tab.label, captions.get(tab)!);
        }
      };
      await showAll();
      try {
        await action();
      } catch (error) {
        step.failed = true;
        throw error;
      } finally {
        // Tabs opened during the step get their caption too; the pictures show the step's outcome.
        await showAll().catch(() => undefined);
        step.captions = openTabsOf().map((tab) => ({ label: tab.label, text: captions.get(tab) ?? '' }));
        if (step.captions.length === 0 && typeof caption === 'string') step.captions = [{ label: 'all', text: caption }];
        step.durationMs = elapsed() - step.startedMs;
        log(`${stamp()}   done in ${(step.durationMs / 1000).toFixed(1)} s`);
        await takeShots(step);
        if (init.slowMoMs) await sleep(init.slowMoMs);
      }
    },
    async check(fact: string, probe: () => Promise<boolean | ProbeAnswer>, timeoutMs = CHECK_TIMEOUT_MS) {
      const since = Date.now();
      let saw = 'nothing yet';
      for (;;) {
        try {
          const answer = await probe();
          if (answer === true || (typeof answer === 'object' && answer.ok)) break;
          saw = typeof answer === 'object' ? answer.saw : 'false';
        } catch (error) {
          saw = `error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
        }
        if (Date.now() - since > timeoutMs) {
          const failed: FactRecord = { fact, ok: false, saw, ms: Date.now() - since };
          currentStep().facts.push(failed);
          log(`${stamp()}   ✘ ${fact} — saw: ${saw}`);
          throw new ClaimFailed(fact, saw);
        }
        await sleep(POLL_MS);
      }
      const held: FactRecord = { fact, ok: true, ms: Date.now() - since };
      currentStep().facts.push(held);
      log(`${stamp()}   ✔ ${fact} (${(held.ms / 1000).toFixed(1)} s)`);
    },
    note(text: string) {
      currentStep().notes.push(text);
      log(`${stamp()}   · ${text}`);
    },
    onCleanup(action) {
      cleanups.push(action);
    },
  };

  const missing = scenario.prerequisiteMissing?.();
  if (missing) {
    record.verdict = 'skipped';
    record.reason = `skipped: prerequisite missing: ${missing}`;
    log(`${stamp()} ${record.reason}`);
  } else {
    log(`${stamp()} ${scenario.name}: ${scenario.claim}`);
    log(`${stamp()} network ${network}, ${tabCount} tabs, server ${init.origin}`);
    try {
      await scenario.run(ctx);
    } catch (error) {
      record.verdict = 'fail';
      record.reason = error instanceof ClaimFailed ? `claim failed: ${error.message}` : `error: ${error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)}`;
      if (!(error instanceof ClaimFailed)) currentStep().notes.push(record.reason);
      log(`${stamp()} ${record.reason}`);
    }
  }
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      log(`${stamp()} clean-up failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const context of new Set([...contexts.values(), ...(shared ? [shared] : [])])) await context.close().catch(() => undefined);
  await firefox?.close().catch((error: unknown) => log(`${stamp()} Firefox did not close: ${error instanceof Error ? error.message : String(error)}`));
  record.durationMs = elapsed();
  if (init.outDir) record.storyboard = writeStoryboard(init.outDir, record);
  log(`${stamp()} ${scenario.name}: ${record.verdict.toUpperCase()}${record.reason ? ` (${record.reason})` : ''}`);
  return record;
}
