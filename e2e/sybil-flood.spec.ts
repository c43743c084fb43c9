/**
 * The sybil-flood scenario (e2e/scenarios/sybil-flood.ts) as a test (issue 20
 * §5): a room already holding 400 silent, stamped Sybils from 8 hosts, then
 * 1,000 Sybil joins from one more host, and two honest tabs in separate
 * browser contexts still link within 10 s of the second being ready; the
 * flood host is held to 64 members.
 */
import { scenarioTest } from './demo/scenario-test.ts';
import { sybilFlood } from './scenarios/sybil-flood.ts';

scenarioTest(sybilFlood, { tabs: 2, timeoutMs: 180_000 });
