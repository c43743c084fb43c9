/**
 * The malicious-peer scenario (e2e/scenarios/malicious-peer.ts) as a test:
 * forged transactions and an oversized frame get their senders banned within
 * a second by the tabs they reach, and the honest ledgers stay identical.
 */
import { scenarioTest } from './demo/scenario-test.ts';
import { maliciousPeer } from './scenarios/malicious-peer.ts';

scenarioTest(maliciousPeer);
