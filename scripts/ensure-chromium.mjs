#!/usr/bin/env node
/**
 * Makes sure a Chromium for the end-to-end tests is on this machine, and says
 * which one. Playwright cannot download its own browsers here (no internet
 * but the npm registry and Debian's archive), so the tests drive the system's
 * Chromium (GUIDE, "Browsers for Playwright").
 *
 * Order: $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser (the
 * same list as e2e/harness/chromium.ts). When none exists and we are root on
 * Debian or Ubuntu (CI's fresh machine), install Debian's `chromium` with
 * apt-get; otherwise exit 1 with one line saying how. Never skips silently.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch (error) {
    if (error && typeof error === 'object' && 'code' in error && (error.code === 'ENOENT' || error.code === 'EACCES')) return false;
    throw error;
  }
}

function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) fail(`CHROMIUM_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  return CANDIDATES.find(isExecutable);
}

function fail(message) {
  console.error(`ensure-chromium: ${message}`);
  process.exit(1);
}

/** True on Debian or a derivative (Ubuntu) according to /etc/os-release. */
function isDebianLike() {
  let text;
  try {
    text = readFileSync('/etc/os-release', 'utf8');
  } catch (error) {
    if (error && typeof error === 'object' && 'code' in error && error.code === 'ENOENT') return false;
    throw error;
  }
  const field = (name) => text.match(new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm'))?.[1] ?? '';
  return /\b(debian|ubuntu)\b/.test(`${field('ID')} ${field('ID_LIKE')}`);
}

/** Runs a command with its output streamed to ours; exits on failure. */
function run(command, args) {
  console.log(`ensure-chromium: $ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error) fail(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

function versionOf(path) {
  // Debian's /usr/bin/chromium is a shell wrapper that may print noise on stderr; the version is on stdout.
  const result = spawnSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  const version = (result.stdout ?? '').trim();
  if (result.status !== 0 || !version) fail(`${path} --version failed (${result.status ?? result.signal}): ${(result.stderr ?? '').trim()}`);
  return version;
}

let path = findChromium();
if (!path) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !isDebianLike()) {
    fail('No Chromium found: install it (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH');
  }
  console.log('ensure-chromium: no Chromium found; installing Debian\'s chromium package');
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', 'chromium']);
  path = findChromium();
  if (!path) fail(`apt-get installed chromium but none of ${CANDIDATES.join(', ')} exists`);
}
console.log(`ensure-chromium: using ${path} (${versionOf(path)})`);
