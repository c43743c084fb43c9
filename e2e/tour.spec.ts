/** The tour scenario (e2e/scenarios/tour.ts) as a test: the steps `npm run demo -- tour` shows. */
import { scenarioTest } from './demo/scenario-test.ts';
import { tour } from './scenarios/tour.ts';

scenarioTest(tour, { tabs: 3 });
