/** The late-joiner scenario (e2e/scenarios/late-joiner.ts) as a test: headers-first catch-up of 300 blocks, with its progress shown. */
import { scenarioTest } from './demo/scenario-test.ts';
import { lateJoiner } from './scenarios/late-joiner.ts';

scenarioTest(lateJoiner);
