/**
 * A scenario as a Playwright test: the same steps the demo shows, headless
 * and without pauses or storyboard. The test fails with the fact that did not
 * hold; a scenario skipped for a missing prerequisite does not pass either.
 */
import { expect, test } from '@playwright/test';
import { runScenario } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';

export interface ScenarioTestInit {
  /** Fewer tabs than the demo's default keeps `npm test` fast. */
  tabs?: number;
  timeoutMs?: number;
}

/** Declares one test that runs `scenario` against the e2e server and expects its claim to hold. */
export function scenarioTest(scenario: Scenario, init: ScenarioTestInit = {}): void {
  test(`${scenario.name}: ${scenario.claim}`, async ({ browser, baseURL }) => {
    test.setTimeout(init.timeoutMs ?? 90_000);
    const lines: string[] = [];
    const result = await runScenario(scenario, { browser, origin: baseURL!, tabs: init.tabs, log: (line) => lines.push(line) });
    if (result.verdict !== 'pass') await test.info().attach(`${scenario.name}.log`, { body: lines.join('\n'), contentType: 'text/plain' });
    expect(result.verdict, result.reason).toBe('pass');
  });
}
