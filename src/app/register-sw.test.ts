import { describe, expect, it, vi } from 'vitest';
import { registerShellWorker, SHELL_WORKER_URL, SKIP_WAITING_MESSAGE, type RegisterShellWorkerComponents } from './register-sw.ts';

function fakeContainer(register: () => Promise<unknown>, controller: unknown = null) {
  const listeners: Array<() => void> = [];
  const container = {
    controller,
    register: vi.fn(register),
    addEventListener: vi.fn((_type: string, listener: () => void) => void listeners.push(listener)),
  };
  return { container: container as unknown as NonNullable<RegisterShellWorkerComponents['serviceWorker']>, register: container.register, fireControllerChange: () => listeners.forEach((listener) => listener()) };
}

function recordingLog() {
  const lines: string[] = [];
  return { lines, log: { info: (message: string) => void lines.push(`info ${message}`), warn: (message: string) => void lines.push(`warn ${message}`) } };
}

describe('registerShellWorker', () => {
  it('registers /sw.js in a secure context when enabled', async () => {
    const registration = { scope: '/', waiting: null, installing: null, addEventListener: () => undefined } as unknown as ServiceWorkerRegistration;
    const { container, register } = fakeContainer(async () => registration);
    const { log, lines } = recordingLog();
    const result = await registerShellWorker({ serviceWorker: container, isSecureContext: true, log }, { enabled: true });
    expect(result).toEqual({ registered: true, registration });
    expect(register).toHaveBeenCalledWith(SHELL_WORKER_URL);
    expect(lines).toEqual([]);
  });

  it('does nothing when disabled (the dev server)', async () => {
    const { container, register } = fakeContainer(async () => fakeRegistration());
    const { log } = recordingLog();
    expect(await registerShellWorker({ serviceWorker: container, isSecureContext: true, log }, { enabled: false })).toEqual({ registered: false, reason: 'disabled' });
    expect(register).not.toHaveBeenCalled();
  });

  it('does not register outside a secure context, and says why', async () => {
    const { container, register } = fakeContainer(async () => ({}));
    const { log, lines } = recordingLog();
    expect(await registerShellWorker({ serviceWorker: container, isSecureContext: false, log }, { enabled: true })).toEqual({ registered: false, reason: 'insecure-context' });
    expect(register).not.toHaveBeenCalled();
    expect(lines).toEqual([expect.stringMatching(/^info offline page cache off: not a secure context/)]);
  });

  it('reports a browser without service workers as unsupported', async () => {
    const { log } = recordingLog();
    expect(await registerShellWorker({ serviceWorker: undefined, isSecureContext: true, log }, { enabled: true })).toEqual({ registered: false, reason: 'unsupported' });
  });

  it('logs a failed registration instead of throwing', async () => {
    const { container } = fakeContainer(async () => {
      throw new DOMException('bad script', 'SecurityError');
    });
    const { log, lines } = recordingLog();
    expect(await registerShellWorker({ serviceWorker: container, isSecureContext: true, log }, { enabled: true })).toEqual({ registered: false, reason: 'failed' });
    expect(lines).toEqual(['warn offline page cache off: service worker registration failed']);
  });

  it('ignores the first install taking control: not an update, and nothing reloads', async () => {
    const first = fakeContainer(async () => fakeRegistration(), null);
    const firstLog = recordingLog();
    const reload = vi.fn();
    await registerShellWorker({ serviceWorker: first.container, isSecureContext: true, log: firstLog.log, reload }, { enabled: true });
    first.fireControllerChange(); // clientsClaim on the very first install
    expect(firstLog.lines).toEqual([]);
    expect(reload).not.toHaveBeenCalled();
  });

  it('offers a worker already waiting, and activates it and reloads only when the offer is taken', async () => {
    const waiting = fakeWorker('installed');
    const later = fakeContainer(async () => fakeRegistration({ waiting: waiting.worker }), {});
    const offers: Array<() => void> = [];
    const reload = vi.fn();
    const { log, lines } = recordingLog();
    await registerShellWorker({ serviceWorker: later.container, isSecureContext: true, log, reload, onUpdateWaiting: (activate) => void offers.push(activate) }, { enabled: true });
    expect(offers).toHaveLength(1);
    expect(waiting.messages).toEqual([]); // offered, not taken: the old build keeps running
    expect(reload).not.toHaveBeenCalled();
    offers[0]!();
    expect(waiting.messages).toEqual([SKIP_WAITING_MESSAGE]);
    later.fireControllerChange();
    expect(reload).toHaveBeenCalledTimes(1);
    expect(lines).toContain('info a new version of the page is ready: reload to update');
  });

  it('offers a worker that finishes installing while the page runs, and never reloads without the click', async () => {
    const registration = fakeRegistration();
    const container = fakeContainer(async () => registration, {});
    const offers: Array<() => void> = [];
    const reload = vi.fn();
    const { log } = recordingLog();
    await registerShellWorker({ serviceWorker: container.container, isSecureContext: true, log, reload, onUpdateWaiting: (activate) => void offers.push(activate) }, { enabled: true });
    expect(offers).toHaveLength(0);
    const installing = fakeWorker('installing');
    registration.found(installing.worker);
    installing.become('installed');
    expect(offers).toHaveLength(1);
    // Another tab's click activated the worker: this page is now controlled by it, but does not reload.
    container.fireControllerChange();
    expect(reload).not.toHaveBeenCalled();
  });

  it('reloads after the click in a page that got its first worker by clientsClaim (no controller at load)', async () => {
    const registration = fakeRegistration();
    const container = fakeContainer(async () => registration, null);
    const offers: Array<() => void> = [];
    const reload = vi.fn();
    const { log } = recordingLog();
    await registerShellWorker({ serviceWorker: container.container, isSecureContext: true, log, reload, onUpdateWaiting: (activate) => void offers.push(activate) }, { enabled: true });
    container.fireControllerChange(); // the first install claims the page: nothing to do
    (container.container as { controller: unknown }).controller = {};
    const installing = fakeWorker('installing');
    registration.found(installing.worker);
    installing.become('installed');
    offers[0]!();
    expect(installing.messages).toEqual([SKIP_WAITING_MESSAGE]);
    container.fireControllerChange();
    expect(reload).toHaveBeenCalledTimes(1);
  });
});

function fakeWorker(state: ServiceWorkerState) {
  const messages: unknown[] = [];
  const listeners: Array<() => void> = [];
  const worker = {
    state,
    postMessage: (message: unknown) => void messages.push(message),
    addEventListener: (_type: string, listener: () => void) => void listeners.push(listener),
  };
  return {
    worker: worker as unknown as ServiceWorker,
    messages,
    become(next: ServiceWorkerState) {
      worker.state = next;
      for (const listener of listeners) listener();
    },
  };
}

function fakeRegistration(init: { waiting?: ServiceWorker } = {}) {
  const listeners: Array<() => void> = [];
  const registration = {
    waiting: init.waiting ?? null,
    installing: null as ServiceWorker | null,
    addEventListener: (_type: string, listener: () => void) => void listeners.push(listener),
    /** An update was found: `worker` is installing. */
    found(worker: ServiceWorker) {
      registration.installing = worker;
      for (const listener of listeners) listener();
    },
  };
  return registration;
}
