/**
 * The relay-outage scenario (e2e/scenarios/relay-outage.ts) as a test: with
 * the relay stopped, gossip still reaches every tab, a closed link is
 * restored with signals forwarded by a neighbour, and the tabs rejoin the
 * relay when it is back.
 */
import { scenarioTest } from './demo/scenario-test.ts';
import { relayOutage } from './scenarios/relay-outage.ts';

scenarioTest(relayOutage, { timeoutMs: 150_000 });
