/**
 * A Chromium this test process launches itself on a profile directory, so
 * that it can be killed with SIGKILL and launched again on the same profile
 * (e2e/crash-safety.spec.ts).
 *
 * Why not `chromium.launchPersistentContext(userDataDir)`: Playwright does
 * not expose the browser process of a persistent context (only a
 * `launchServer` has `process()`), and finding it among this process's
 * children by command line would be guesswork when other tests run
 * browsers too. Spawning the system Chromium with `--user-data-dir` and
 * `--remote-debugging-port=0`, then connecting over CDP, gives the same
 * persistent profile and the browser's own pid.
 *
 * The browser is started in a process group of its own (`detached`): its
 * renderers, GPU and utility processes die on their own once the browser
 * process is gone; whatever is left after a grace period is killed by the
 * group id, so no test leaves a Chromium behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './chromium.ts';

/** Launch to CDP endpoint took 0.3-0.6 s here; the cap covers a loaded machine. */
const LAUNCH_TIMEOUT_MS = 20_000;
/** How long the browser's helper processes get to notice it died before the group is killed. */
const ORPHAN_GRACE_MS = 3_000;

export interface KillableChromium {
  /** The browser process's pid (the one SIGKILL is sent to). */
  readonly pid: number;
  readonly browser: Browser;
  /** The profile's default context: its pages share the profile's IndexedDB, localStorage and locks. */
  readonly context: BrowserContext;
  /**
   * SIGKILL to the browser process, no graceful close; resolves once it has
   * exited. `lingering`: some of its helper processes outlived the grace
   * period and were killed by group id.
   */
  kill(): Promise<{ lingering: boolean }>;
  /** A normal close (end of test), then the same group clean-up. */
  close(): Promise<void>;
}

/** Resolves the `ws://` endpoint Chromium prints on stderr ("DevTools listening on ws://…"). */
function devtoolsEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools endpoint within ${LAUNCH_TIMEOUT_MS} ms:\n${seen.slice(-2_000)}`)), LAUNCH_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code ?? signal}) before it listened:\n${seen.slice(-2_000)}`));
    });
  });
}

/** True while any process of group `pgid` is alive (signal 0 only checks). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Waits up to ORPHAN_GRACE_MS for group `pgid` to empty, then SIGKILLs what is left of it. */
async function reapGroup(pgid: number): Promise<boolean> {
  const deadline = Date.now() + ORPHAN_GRACE_MS;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!groupAlive(pgid)) return false;
  process.kill(-pgid, 'SIGKILL');
  return true;
}

/** Launches headless Chromium on `userDataDir` (created if missing) and connects to it over CDP. */
export async function launchKillableChromium(userDataDir: string): Promise<KillableChromium> {
  const args = [...CHROMIUM_ARGS, '--headless', `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0', 'about:blank'];
  const child = spawn(findChromium(), args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('Chromium did not start (no pid)');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let browser: Browser;
  try {
    browser = await chromium.connectOverCDP(await devtoolsEndpoint(child));
  } catch (error) {
    if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    throw error;
  }
  const context = browser.contexts()[0];
  if (!context) throw new Error('Chromium over CDP has no default context');
  return {
    pid,
    browser,
    context,
    async kill() {
      process.kill(pid, 'SIGKILL');
      await exited;
      return { lingering: await reapGroup(pid) };
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        await browser.close();
        // Over CDP, close() may only disconnect; the browser is ours, so it is told to go.
        if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGTERM');
      }
      await exited;
      await reapGroup(pid);
    },
  };
}
