/** The partition scenario (e2e/scenarios/partition.ts) as a test: split with bans, both sides mine, unban, converge on the most work, the losing side's payment confirms again. */
import { scenarioTest } from './demo/scenario-test.ts';
import { partition } from './scenarios/partition.ts';

scenarioTest(partition, { tabs: 4 });
