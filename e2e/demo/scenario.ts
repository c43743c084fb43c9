/**
 * What a scenario is (issue 21): a claim of the seed documents, told as
 * steps over real tabs and checked as facts. One module per scenario under
 * e2e/scenarios/ exports a Scenario; the demo runner (e2e/demo.ts) shows it
 * to a person, and its spec runs the very same steps headless in `npm test`.
 */
import type { Browser, Page } from '@playwright/test';

/**
 * What the runner and the shared actions need of a page: Playwright's
 * Chromium `Page` and puppeteer's Firefox `Page` both have it, so one action
 * reads a tab of either browser.
 */
export interface TabPage {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
  screenshot(options: { path: string; timeout?: number }): Promise<unknown>;
  isClosed(): boolean;
  close(): Promise<void>;
}

/** One open tab of the scenario, named as the captions and the storyboard name it. */
export interface Tab<P extends TabPage = Page> {
  /** "tab 1", "tab 2", ... in opening order (1-based, as a person counts). */
  readonly label: string;
  /** A Chromium tab's Playwright page; `TabPage` for a tab of any browser. */
  readonly page: P;
  /** Its peer id (account), read once it is ready. */
  readonly id: string;
}

/** A tab of either browser. */
export type AnyTab = Tab<TabPage>;

export interface OpenTabsInit {
  /** Each tab in its own browser context: no shared BroadcastChannel or storage, so links need the relay or the mesh. */
  isolated?: boolean;
  /** Extra URL parameters (links=, relay=). */
  params?: Record<string, string>;
  /** The page's origin, when not the runner's (a scenario that runs its own server). */
  origin?: string;
  /** Runs in the page before the app's scripts (page.addInitScript, as source text), e.g. to record what the page shows while loading. */
  initScript?: string;
}

/** A caption for every tab, or one per tab (tabs it returns undefined for keep theirs). */
export type Caption = string | ((tab: AnyTab, index: number) => string | undefined);

export interface ScenarioContext {
  /** The server every tab loads from, e.g. http://127.0.0.1:8080. */
  readonly origin: string;
  /** Its relay: ws://…/signal. */
  readonly relayUrl: string;
  /** A network (relay room) of this run's own: `test-…`, so proof-of-work is instant. */
  readonly network: string;
  /** How many tabs the person asked for (--tabs), or the scenario's default. */
  readonly tabCount: number;
  readonly browser: Browser;
  /** Every tab opened so far, of either browser, open or closed (closed ones are left out of screenshots). */
  readonly tabs: readonly AnyTab[];
  /** Opens `count` Chromium tabs on the network and waits until each is ready. */
  openTabs(count: number, init?: OpenTabsInit): Promise<Tab[]>;
  /**
   * Opens `count` Firefox tabs on the network (one Firefox, started on first
   * use and stopped at the end) and waits until each is ready. Firefox is a
   * browser of its own: it shares nothing with the Chromium tabs.
   */
  openFirefoxTabs(count: number, init?: Pick<OpenTabsInit, 'params'>): Promise<AnyTab[]>;
  /** Closes tabs (and their contexts when isolated). */
  closeTabs(tabs: readonly AnyTab[]): Promise<void>;
  /** One step of the story: shows `caption`, runs `action`, then takes the storyboard's pictures. */
  step(title: string, caption: Caption, action: () => Promise<void>): Promise<void>;
  /**
   * A fact of the claim: polls `probe` until it returns true (or, for a
   * detail, a string starting with "ok"), for at most `timeoutMs`. On timeout
   * the scenario fails naming `fact` and what the probe last said.
   */
  check(fact: string, probe: () => Promise<boolean | ProbeAnswer>, timeoutMs?: number): Promise<void>;
  /** A measured figure or remark, printed and kept in the storyboard (no verdict). */
  note(text: string): void;
  /** Runs at the end, pass or fail, in reverse order of registration. */
  onCleanup(action: () => Promise<void> | void): void;
}

/** A probe's answer with a word on what it saw, for the failure message. */
export interface ProbeAnswer {
  ok: boolean;
  saw: string;
}

export interface Scenario {
  /** The command-line name: `npm run demo -- <name>`. */
  readonly name: string;
  /** The claim, as the seed documents make it. */
  readonly claim: string;
  readonly defaultTabs: number;
  readonly minTabs: number;
  /** Why it cannot run here (e.g. a browser that is not installed); undefined when it can. */
  prerequisiteMissing?(): string | undefined;
  run(ctx: ScenarioContext): Promise<void>;
}

/** A fact that did not hold: the scenario's verdict is "fail", naming it. */
export class ClaimFailed extends Error {
  override readonly name = 'ClaimFailed';
  constructor(readonly fact: string, readonly saw: string) {
    super(`${fact} (saw: ${saw})`);
  }
}
