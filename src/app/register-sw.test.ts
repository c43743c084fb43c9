import { describe, expect, it, vi } from 'vitest';
import { registerShellWorker, SHELL_WORKER_URL, type RegisterShellWorkerComponents } from './register-sw.ts';

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
    const registration = { scope: '/' } as ServiceWorkerRegistration;
    const { container, register } = fakeContainer(async () => registration);
    const { log, lines } = recordingLog();
    const result = await registerShellWorker({ serviceWorker: container, isSecureContext: true, log }, { enabled: true });
    expect(result).toEqual({ registered: true, registration });
    expect(register).toHaveBeenCalledWith(SHELL_WORKER_URL);
    expect(lines).toEqual([]);
  });

  it('does nothing when disabled (the dev server)', async () => {
    const { container, register } = fakeContainer(async () => ({}));
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

  it('announces a new build only when a worker was already in control', async () => {
    const first = fakeContainer(async () => ({}), null);
    const firstLog = recordingLog();
    await registerShellWorker({ serviceWorker: first.container, isSecureContext: true, log: firstLog.log }, { enabled: true });
    first.fireControllerChange(); // clientsClaim on the very first install: not an update
    expect(firstLog.lines).toEqual([]);

    const later = fakeContainer(async () => ({}), {});
    const laterLog = recordingLog();
    await registerShellWorker({ serviceWorker: later.container, isSecureContext: true, log: laterLog.log }, { enabled: true });
    later.fireControllerChange();
    expect(laterLog.lines).toEqual(['info a new version of the page is cached; it loads on the next reload']);
  });
});
