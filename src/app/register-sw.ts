/**
 * Registers the service worker that caches the app shell (src/sw.ts;
 * docs/ARCHITECTURE.md, "The app shell"). The page works without it, so a
 * failure is a line in the page log, never an exception.
 *
 * A new build's worker waits (src/sw.ts no longer skips waiting): the page
 * offers "reload to update" (onUpdateWaiting), and only when the user takes it
 * is the worker told to activate; when it has taken over, the page reloads
 * into the new build. Nothing reloads on its own: a reload mid-send would
 * lose a form.
 */
import type { Logger } from '../core/types.ts';

/** Where vite-plugin-pwa writes the built worker (vite.config.ts: `filename: 'sw.ts'`), at the root so its scope is the whole origin. */
export const SHELL_WORKER_URL = '/sw.js';
/** The message that tells a waiting worker to take over (src/sw.ts listens for it). */
export const SKIP_WAITING_MESSAGE = { type: 'tabmesh/skip-waiting' } as const;

/** What the page needs of a registration to watch for a waiting worker. */
type WatchedRegistration = Pick<ServiceWorkerRegistration, 'waiting' | 'installing' | 'addEventListener'>;

/** What registration needs from the page; injected so tests need no browser. */
export interface RegisterShellWorkerComponents {
  /** undefined where the browser has no service workers. */
  serviceWorker: Pick<ServiceWorkerContainer, 'register' | 'controller' | 'addEventListener'> | undefined;
  /** Service workers exist only in secure contexts (https, or http on localhost/127.0.0.1). */
  isSecureContext: boolean;
  log: Logger;
  /** A newer build is installed and waiting; `activate` (for the user's click) makes it take over and reloads the page. */
  onUpdateWaiting?: (activate: () => void) => void;
  /** Reloads the page once the new worker is in control; called only after `activate`. */
  reload?: () => void;
}

export interface RegisterShellWorkerInit {
  /** False in `npm run dev`: Vite serves source modules there, and a cached shell would only be stale. */
  enabled: boolean;
  url?: string;
}

/** Why no worker was registered, or the registration. */
export type RegisterShellWorkerResult =
  | { registered: true; registration: ServiceWorkerRegistration }
  | { registered: false; reason: 'disabled' | 'insecure-context' | 'unsupported' | 'failed' };

/**
 * Registers the app-shell worker when enabled and possible. Resolves, never
 * rejects: a failed registration is logged as a warning to the page log.
 */
export async function registerShellWorker(components: RegisterShellWorkerComponents, init: RegisterShellWorkerInit): Promise<RegisterShellWorkerResult> {
  const { serviceWorker, log } = components;
  if (!init.enabled) return { registered: false, reason: 'disabled' };
  if (!components.isSecureContext) {
    // Plain http from another machine: the page still runs, only not offline. Said once, as info: nothing is broken.
    log.info('offline page cache off: not a secure context (serve over https, or open on localhost)');
    return { registered: false, reason: 'insecure-context' };
  }
  if (!serviceWorker) return { registered: false, reason: 'unsupported' };
  // A worker already in control means this registration may bring a new build; it takes over only when the user asks.
  const hadController = serviceWorker.controller !== null;
  let activationAsked = false;
  serviceWorker.addEventListener('controllerchange', () => {
    // The click in this tab: reload into the new build. (A page first loaded without a worker was claimed by
    // it, so whether it had a controller at load says nothing about this: only the click does.)
    if (activationAsked) {
      log.info('a new version of the page is in control; reloading into it');
      return components.reload?.();
    }
    // Another tab's click: this one keeps running its build. The very first install's clientsClaim: not an update.
    if (hadController) log.info('a new version of the page took over in another tab; this one loads it on its next reload');
  });
  try {
    const registration = await serviceWorker.register(init.url ?? SHELL_WORKER_URL);
    watchForWaitingWorker(registration, () => serviceWorker.controller !== null, (worker) => {
      log.info('a new version of the page is ready: reload to update');
      components.onUpdateWaiting?.(() => {
        activationAsked = true;
        worker.postMessage(SKIP_WAITING_MESSAGE);
      });
    });
    return { registered: true, registration };
  } catch (error) {
    log.warn('offline page cache off: service worker registration failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return { registered: false, reason: 'failed' };
  }
}

/**
 * Calls `onWaiting` with a worker that installed while another controls the page: one already waiting at
 * registration (installed by an earlier visit), or one that finishes installing later. A worker that installs
 * with no controller is the first install, which activates at once: no update.
 */
function watchForWaitingWorker(registration: WatchedRegistration, controlled: () => boolean, onWaiting: (worker: ServiceWorker) => void): void {
  if (registration.waiting && controlled()) onWaiting(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    installing?.addEventListener('statechange', () => {
      if (installing.state === 'installed' && controlled()) onWaiting(installing);
    });
  });
}
