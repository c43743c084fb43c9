/**
 * The service worker that caches the app shell (docs/ARCHITECTURE.md, "The app
 * shell"): the page, its chunks, its Web Workers and styles, so a tab reloads
 * and its peer starts while the server (page and relay in one process) is down.
 *
 * - Precache: the list vite-plugin-pwa injects at build time (the __WB_MANIFEST placeholder; the comment must not spell it with its object, or an unminified build finds two),
 *   this build's hashed files plus index.html with a content revision.
 * - Navigations: network first, so a reload with the server up gets the newest
 *   build; on a network error, or after NAVIGATION_TIMEOUT_MS, the precached
 *   index.html.
 * - Everything else not precached (/signal, /healthz, /config.json, anything
 *   dynamic) has no route, so the browser fetches it as if there were no worker.
 * - Updates: a new build's worker installs and *waits* while an older one
 *   controls open tabs. The page offers "reload to update"; the user's click
 *   sends SKIP_WAITING_MESSAGE (src/app/register-sw.ts), the worker activates
 *   and claims the tabs, and the page reloads into the new build. It never
 *   takes over on its own: an old tab would lose the old build's cached
 *   chunks under it (cleanupOutdatedCaches), and the page never reloads mid-use.
 *   The very first install has nothing to wait for and claims the page at once.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { SKIP_WAITING_MESSAGE } from './app/register-sw.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

/** The shell served to navigations when the network fails; a precache key (relative to the worker's scope). */
const SHELL_URL = 'index.html';
/**
 * How long a navigation waits for the server before the cached shell is used.
 * A stopped server on the same host refuses at once; this bounds the other case,
 * a server (or network) that accepts and then hangs. 3 s is past a slow but
 * working server's first byte, and short enough that a dead one feels like a slow load.
 */
const NAVIGATION_TIMEOUT_MS = 3_000;
/** Paths the server answers dynamically: never the shell, even when opened in a tab. */
const NETWORK_ONLY_PATHS = [/^\/signal(\/|$)/, /^\/healthz$/, /^\/config\.json$/];

/** The server did not answer a navigation within NAVIGATION_TIMEOUT_MS. */
class NavigationTimeoutError extends Error {
  override readonly name = 'NavigationTimeoutError';
}

// The page's "reload to update" asks the waiting worker to take over. register-sw.ts has no runtime imports,
// so sharing its constant adds nothing else to the worker bundle.
self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data: unknown = event.data;
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === SKIP_WAITING_MESSAGE.type) void self.skipWaiting();
});
clientsClaim();

/** Network first for page loads; the precached shell when the network fails or is too slow. */
async function networkFirstShell({ request }: { request: Request }): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new NavigationTimeoutError(`no answer in ${NAVIGATION_TIMEOUT_MS} ms`)), NAVIGATION_TIMEOUT_MS);
  });
  try {
    // The request is passed on unchanged: a RequestInit (say, an abort signal) would turn its 'navigate' mode into 'same-origin'.
    return await Promise.race([fetch(request), timeout]);
  } catch (error) {
    const shell = await matchPrecache(SHELL_URL);
    if (shell) return shell;
    throw error; // nothing cached (a worker that never finished installing): the browser shows its own error
  } finally {
    clearTimeout(timer);
  }
}

// Registered before the precache route: Workbox uses the first matching route, and the precache
// route would otherwise answer a navigation to `/` from the cache, cache first.
registerRoute(new NavigationRoute(networkFirstShell, { denylist: NETWORK_ONLY_PATHS }));
precacheAndRoute(self.__WB_MANIFEST);
// Drops caches left by older Workbox precache formats; entries of older builds are removed by precacheAndRoute on activation.
cleanupOutdatedCaches();
