/**
 * Which Chromium the e2e tier and the demo drive, and how it is launched.
 * Playwright cannot download browsers here, so we use the system's Chromium
 * (GUIDE, "Browsers for Playwright"); scripts/ensure-chromium.mjs installs it
 * on a fresh CI machine and searches the same list.
 */
import { accessSync, constants } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** True when `path` is a file this process may run. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') return false;
    throw error;
  }
}

/** $CHROMIUM_PATH, else the first system Chromium found; throws a one-line how-to when there is none. */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  const found = CANDIDATES.find(isExecutable);
  if (!found) throw new Error('No Chromium found: run `node scripts/ensure-chromium.mjs` (Debian: apt-get install chromium) or set CHROMIUM_PATH');
  return found;
}

/**
 * Launch flags:
 * - `--no-sandbox`: CI runs as root, where Chromium's sandbox refuses to start.
 * - background networking, component updates, sync, first run, QUIC: keep
 *   Chromium from knocking on network doors that are closed here.
 * - `--disable-gpu`: there is no GPU; software rendering is what runs anyway.
 *
 * WebRTC needs no flag: tabs, browser contexts and the Node peer
 * (@roamhq/wrtc) connect with no STUN server. Chromium hides its host
 * candidates behind `.local` mDNS names, which Node cannot resolve, but the
 * Node side's plain host candidates let ICE find the pair (checked); leaving
 * mDNS on keeps the tests on the browser's real behaviour.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
