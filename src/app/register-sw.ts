/**
 * Registers the service worker that caches the app shell (src/sw.ts;
 * docs/ARCHITECTURE.md, "The app shell"). The page works without it, so a
 * failure is a line in the page log, never an exception.
 */
import type { Logger } from '../core/types.ts';

/** Where vite-plugin-pwa writes the built worker (vite.config.ts: `filename: 'sw.ts'`), at the root so its scope is the whole origin. */
export const SHELL_WORKER_URL = '/sw.js';

/** What registration needs from the page; injected so tests need no browser. */
export interface RegisterShellWorkerComponents {
  /** undefined where the browser has no service workers. */
  serviceWorker: Pick<ServiceWorkerContainer, 'register' | 'controller' | 'addEventListener'> | undefined;
  /** Service workers exist only in secure contexts (https, or http on localhost/127.0.0.1). */
  isSecureContext: boolean;
  log: Logger;
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
  // A worker already in control means this registration may bring a new build: tell the user when it takes over.
  const hadController = serviceWorker.controller !== null;
  serviceWorker.addEventListener('controllerchange', () => {
    if (hadController) log.info('a new version of the page is cached; it loads on the next reload');
  });
  try {
    const registration = await serviceWorker.register(init.url ?? SHELL_WORKER_URL);
    return { registered: true, registration };
  } catch (error) {
    log.warn('offline page cache off: service worker registration failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return { registered: false, reason: 'failed' };
  }
}
