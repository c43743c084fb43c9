/**
 * The double-spend scenario (e2e/scenarios/double-spend.ts) as a test: two
 * conflicting transactions held by different tabs end with exactly one
 * confirmed everywhere, and the displaced one is reported neither pending
 * nor confirmed by any tab (its rows and the mempools included).
 */
import { scenarioTest } from './demo/scenario-test.ts';
import { doubleSpend } from './scenarios/double-spend.ts';

scenarioTest(doubleSpend);
