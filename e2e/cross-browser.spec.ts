/**
 * The cross-browser scenario (e2e/scenarios/cross-browser.ts) as a test: a
 * Firefox tab (Debian's firefox-esr over WebDriver BiDi) links to the Chromium
 * tabs, and payments made in either browser confirm in both, on the same tip.
 * Without Firefox the scenario is skipped, and so this test fails: CI
 * (.ci/run installs firefox-esr) never counts a missing browser as a pass.
 */
import { scenarioTest } from './demo/scenario-test.ts';
import { crossBrowser } from './scenarios/cross-browser.ts';

scenarioTest(crossBrowser, { tabs: 2, timeoutMs: 60_000 });
