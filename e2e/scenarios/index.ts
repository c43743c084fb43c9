/** Every scenario `npm run demo` knows, in the order `--list` shows them. */
import type { Scenario } from '../demo/scenario.ts';
import { crossBrowser } from './cross-browser.ts';
import { doubleSpend } from './double-spend.ts';
import { lateJoiner } from './late-joiner.ts';
import { maliciousPeer } from './malicious-peer.ts';
import { partition } from './partition.ts';
import { seedNode } from './seed-node.ts';
import { relayOutage } from './relay-outage.ts';
import { sybilFlood } from './sybil-flood.ts';
import { tour } from './tour.ts';
import { upgrade } from './upgrade.ts';

export const SCENARIOS: readonly Scenario[] = [tour, doubleSpend, relayOutage, lateJoiner, maliciousPeer, seedNode, partition, sybilFlood, crossBrowser, upgrade];
