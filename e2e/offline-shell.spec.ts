/**
 * The app shell is cached by a service worker (issue 19, item 6; src/sw.ts):
 * with the server (page and relay in one process) stopped, a reloaded tab still
 * loads and its peer starts, as the same peer, from IndexedDB. When a server
 * with a new build comes back on the same origin, reloads get the new page
 * and the new worker replaces the cached shell.
 *
 * The test serves its own copies of dist/ (so a concurrent `npm run build`
 * cannot change the page under it) from servers it starts and stops.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { createAppServer, type AppServer } from '../signaling/http-server.ts';
import { idOf, peersOf, uniqueNetwork, waitFullMesh, waitReady } from './harness/tabs.ts';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const quiet = { info: () => undefined, warn: () => undefined };
const BUILD_MARKER = 'offline-shell-e2e-update';

/** Every file of a build the shell must hold: what vite.config.ts's globPatterns select, as URL paths. */
async function shellFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries
    .map((entry) => '/' + entry.split(path.sep).join('/'))
    .filter((file) => /\.(html|js|css|svg)$/.test(file) && file !== '/sw.js')
    .sort();
}

/** The URL paths held in the page's Cache Storage, over all caches. */
const cachedPaths = (page: Page): Promise<string[]> =>
  page.evaluate(async () => {
    const paths: string[] = [];
    for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
    return paths.sort();
  });

/** For each cached copy of index.html: does it carry the new build's marker? */
const cachedShellsMarked = (page: Page, marker: string): Promise<boolean[]> =>
  page.evaluate(async (text) => {
    const marked: boolean[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        if (new URL(request.url).pathname !== '/index.html') continue;
        marked.push((await (await cache.match(request))!.text()).includes(text));
      }
    }
    return marked;
  }, marker);

/** A copy of `from` as a new build: index.html gains a marker, and sw.js names index.html with a new revision, as a rebuild would. */
async function makeUpdatedBuild(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
  const html = await readFile(path.join(to, 'index.html'), 'utf8');
  await writeFile(path.join(to, 'index.html'), html.replace('</head>', `<meta name="tabmesh-build" content="${BUILD_MARKER}" /></head>`));
  const sw = await readFile(path.join(to, 'sw.js'), 'utf8');
  const updated = sw.replace(/"revision":"[0-9a-f]+","url":"index.html"/, '"revision":"0000e2e0update0000","url":"index.html"');
  expect(updated, 'dist/sw.js lists index.html with a revision (the precache manifest)').not.toBe(sw);
  await writeFile(path.join(to, 'sw.js'), updated);
}

test('a tab reloads and starts as the same peer with the server down, and a new build arrives when it is back', async ({ context }) => {
  test.setTimeout(120_000);
  const work = await mkdtemp(path.join(tmpdir(), 'tabmesh-offline-shell-'));
  const servers: AppServer[] = [];
  const serve = async (distDir: string, port: number) => {
    const server = createAppServer({ port, host: '127.0.0.1', distDir, log: quiet });
    servers.push(server);
    await server.ready;
    return server;
  };
  try {
    const firstBuild = path.join(work, 'first');
    await cp(DIST, firstBuild, { recursive: true });
    const first = await serve(firstBuild, 0);
    const { port } = first.address();
    const origin = `http://127.0.0.1:${port}`;
    const page = await context.newPage();
    await page.goto(`${origin}/?net=${uniqueNetwork()}`);
    await waitReady(page);
    await expect(page.getByText('relay connected')).toBeVisible();
    const id = await idOf(page);

    // Installed, precached and in control (clientsClaim): the whole shell is cached, and nothing else.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    const expected = await shellFiles(firstBuild);
    expect(expected, 'the build has the main chunk and both worker chunks').toEqual(
      expect.arrayContaining(['/index.html', expect.stringMatching(/^\/assets\/index-.+\.js$/), expect.stringMatching(/^\/assets\/verify-worker-.+\.js$/), expect.stringMatching(/^\/assets\/mine-worker-.+\.js$/)]),
    );
    expect(await cachedPaths(page)).toEqual(expected);

    // Server down: the page can no longer reach it, and a reload is answered by the worker.
    await first.close();
    await expect(page.evaluate(() => fetch('/healthz').then((response) => response.status))).rejects.toThrow(/Failed to fetch/);
    const offline = await page.reload();
    expect(offline?.fromServiceWorker(), 'the offline reload came from the service worker').toBe(true);
    await waitReady(page);
    expect(await idOf(page), 'the reloaded tab is the same peer').toBe(id);
    await expect(page.getByText('relay offline')).toBeVisible({ timeout: 15_000 });
    expect(await cachedPaths(page), 'the relay, /healthz and /config.json are never cached').toEqual(expected);

    // A new build on the same origin: reloads go to the network first, so the new page arrives at once...
    const secondBuild = path.join(work, 'second');
    await makeUpdatedBuild(firstBuild, secondBuild);
    await serve(secondBuild, port);
    await page.reload();
    await waitReady(page);
    await expect(page.locator('meta[name="tabmesh-build"]')).toHaveAttribute('content', BUILD_MARKER);
    await expect(page.getByText('relay connected')).toBeVisible({ timeout: 15_000 });
    expect(await idOf(page)).toBe(id);
    // ...and the new worker (its sw.js differs) installs and waits: the page offers "reload to update" and
    // does not reload by itself. The click activates the worker, which replaces the cached shell, and reloads.
    await page.evaluate(async () => void (await (await navigator.serviceWorker.getRegistration())?.update()));
    await expect.poll(() => page.evaluate(() => window.tabmesh.updateAvailable().workerWaiting), { message: 'the waiting worker is offered', timeout: 30_000 }).toBe(true);
    await page.evaluate(() => { (window as { sameDocument?: boolean }).sameDocument = true; });
    await Promise.all([page.waitForEvent('framenavigated'), page.getByRole('button', { name: 'Reload to update' }).click()]);
    await waitReady(page);
    expect(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument), 'the click reloaded the page').toBeUndefined();
    await expect.poll(() => cachedShellsMarked(page, BUILD_MARKER), { message: 'only the new index.html is cached', timeout: 30_000 }).toEqual([true]);

    // Down again: the offline shell is now the new build.
    await servers.at(-1)!.close();
    const offlineAgain = await page.reload();
    expect(offlineAgain?.fromServiceWorker()).toBe(true);
    await waitReady(page);
    await expect(page.locator('meta[name="tabmesh-build"]')).toHaveAttribute('content', BUILD_MARKER);
    expect(await idOf(page)).toBe(id);
    await expect(page.getByText('relay offline')).toBeVisible({ timeout: 15_000 });
  } finally {
    await Promise.allSettled(servers.map((server) => server.close()));
    await rm(work, { recursive: true, force: true });
  }
});

test('with the server down, a reloaded tab loads, starts and links again to its same-browser peers within 10 s', async ({ context }) => {
  test.setTimeout(90_000);
  const work = await mkdtemp(path.join(tmpdir(), 'tabmesh-offline-relink-'));
  const build = path.join(work, 'build');
  await cp(DIST, build, { recursive: true });
  const server = createAppServer({ port: 0, host: '127.0.0.1', distDir: build, log: quiet });
  try {
    await server.ready;
    const origin = `http://127.0.0.1:${server.address().port}`;
    const network = uniqueNetwork();
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await context.newPage();
      await page.goto(`${origin}/?net=${network}`);
      await waitReady(page);
      pages.push(page);
    }
    await waitFullMesh(pages);
    const [reloaded, ...others] = pages as [Page, ...Page[]];
    await reloaded.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    const id = await idOf(reloaded);
    const otherIds = await Promise.all(others.map(idOf));

    // The page and the relay go down together; the reload is served by the worker, and its peer finds the
    // other tabs of this browser through BroadcastChannel, with no server at all.
    await server.close();
    const startedMs = Date.now();
    const response = await reloaded.reload();
    expect(response?.fromServiceWorker(), 'the reload came from the service worker').toBe(true);
    await waitReady(reloaded);
    expect(await idOf(reloaded)).toBe(id);
    // Every same-browser peer, within 10 s of the reload (issue 19 §6), loading and starting included. The other
    // tabs redial the reloaded one as soon as its old page leaves, before its new page is up: those offers must be
    // given up at once, not win the glare against the new page's own offer (broadcast-signaling.ts, departed).
    // At least 1 ms: a poll timeout of 0 would mean no limit at all.
    const remainingMs = () => Math.max(1, 10_000 - (Date.now() - startedMs));
    await expect.poll(async () => (await peersOf(reloaded)).sort(), { timeout: remainingMs(), intervals: [100], message: 'linked to every same-browser peer within 10 s' }).toEqual(otherIds.sort());
    console.log(`offline relink: reload to every same-browser peer linked in ${Date.now() - startedMs} ms`);
    for (const page of others) {
      await expect.poll(() => peersOf(page), { timeout: remainingMs(), intervals: [100], message: 'and they to it, within the same 10 s' }).toContain(id);
    }
  } finally {
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
});
