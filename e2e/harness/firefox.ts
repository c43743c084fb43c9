/**
 * The Firefox the cross-browser scenario drives: Debian's firefox-esr
 * (`apt-get install firefox-esr`; .ci/run installs it on a fresh machine),
 * launched by puppeteer-core over WebDriver BiDi. playwright-core 1.65 fails
 * at newPage against stock Firefox ESR (GUIDE, "Firefox"), and puppeteer-core
 * downloads no browser of its own.
 */
import puppeteer, { type Browser } from 'puppeteer-core';
import { isExecutable } from './chromium.ts';

const CANDIDATES = ['/usr/bin/firefox-esr', '/usr/bin/firefox'];

/** $FIREFOX_PATH when set, else the first system Firefox found; undefined when that is not an executable. */
export function findFirefox(): string | undefined {
  const fromEnv = process.env.FIREFOX_PATH;
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
  return CANDIDATES.find(isExecutable);
}

/** The same page size as the Chromium tabs' contexts, so storyboard pictures line up. */
const VIEWPORT = { width: 1280, height: 800 };

/**
 * Starts Firefox (about 3 s here). WebRTC needs no pref: Firefox links with
 * Chromium tabs through mDNS host candidates with no STUN (checked); only TURN
 * on loopback would need `media.peerconnection.ice.loopback`.
 */
export async function launchFirefox(init: { headed?: boolean } = {}): Promise<Browser> {
  const executablePath = findFirefox();
  if (!executablePath) throw new Error('No Firefox found: apt-get install firefox-esr (Debian), or set FIREFOX_PATH');
  return puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: !init.headed,
    defaultViewport: init.headed ? null : VIEWPORT,
  });
}
