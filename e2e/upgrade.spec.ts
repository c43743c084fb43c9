/**
 * The upgrade scenario (e2e/scenarios/upgrade.ts) as a test: a tab of the
 * previous build (built here with TABMESH_BUILD_AS=previous) and two of the
 * current one link over the older protocol, pay each other, and agree on the
 * tip before and after minfee2 activates; the previous build is offered an
 * update, and its block that breaks the new rule is refused and orphaned.
 */
import { scenarioTest } from './demo/scenario-test.ts';
import { upgrade } from './scenarios/upgrade.ts';

scenarioTest(upgrade, { tabs: 3, timeoutMs: 120_000 });
