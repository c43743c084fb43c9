/**
 * The seed-node scenario (e2e/scenarios/seed-node.ts) as a test (issue 18,
 * "Tests"): tabs and the full node (a child process started as `npm run node`
 * starts it) form one mesh; the node relays and mines; with every tab closed
 * a new tab syncs the chain from the node alone; a node killed with SIGKILL
 * restarts with the same id and tip and links again.
 */
import { scenarioTest } from './demo/scenario-test.ts';
import { seedNode } from './scenarios/seed-node.ts';

scenarioTest(seedNode, { timeoutMs: 180_000 });
