/**
 * The end-to-end tier: the real server (dist/ + relay on one port) and real
 * tabs in the system's headless Chromium. `npm run test:e2e` first makes sure
 * Chromium exists (scripts/ensure-chromium.mjs) and builds dist/.
 *
 * One worker: the machine has 2 cores and every tab runs a peer with its own
 * verify workers; running specs in parallel would only make them slower and
 * timing-sensitive.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './e2e/harness/chromium.ts';

/** A fixed port away from the usual dev ports (8080, 5173), so a running `npm start` does not clash. */
const E2E_PORT = Number(process.env.E2E_PORT ?? 4317);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  /** Per test: link set-up takes 1-3 s; the longest test (mitm-relay) watches 8 s for a link that must not open. */
  timeout: 60_000,
  expect: { timeout: 15_000 },
  /** The tier takes 8-9 minutes here; the cap stops a hung run inside CI's 20-minute budget. */
  globalTimeout: 12 * 60_000,
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: findChromium(),
      args: CHROMIUM_ARGS,
    },
  },
  webServer: {
    command: 'node --import tsx signaling/bin/serve.ts',
    env: { PORT: String(E2E_PORT), HOST: '127.0.0.1' },
    url: `http://127.0.0.1:${E2E_PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
