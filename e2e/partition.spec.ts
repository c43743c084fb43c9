/** The partition scenario (e2e/scenarios/partition.ts) as a test, six tabs as issue 20 §5 asks: split with bans (cross links closed, redials and signals refused), both sides mine, unban, every tab converges on the most work and the losing side's payment confirms again. */
import { scenarioTest } from './demo/scenario-test.ts';
import { partition } from './scenarios/partition.ts';

scenarioTest(partition, { tabs: 6, timeoutMs: 150_000 });
