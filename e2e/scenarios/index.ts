/** Every scenario `npm run demo` knows, in the order `--list` shows them. */
import type { Scenario } from '../demo/scenario.ts';
import { tour } from './tour.ts';

export const SCENARIOS: readonly Scenario[] = [tour];
