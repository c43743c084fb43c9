/**
 * Issue 20, "Healing", in the simulator: a network split in two halves that
 * each mine heals once the transport carries again, through the real mesh
 * maintainer and connector (heal() reopens nothing), with no node ever
 * sitting on a lighter chain beside a heavier linked peer for more than 5 s.
 * The 1,000-node figure is bench/heal.ts.
 */
import { describe, expect } from 'vitest';
import { confirmReturnedPayment, runHealScenario } from './heal-scenario.ts';
import { simIt } from '../../test/helpers/sim-test.ts';

describe('a split network heals itself (issue 20)', () => {
  simIt('80 nodes: every node is on the most-work chain within 30 s of the lift, and the losing side\'s payment returns and confirms', 20, async (seed) => {
    const result = await runHealScenario({ seed, nodes: 80 });
    try {
      expect(result.healMs, 'every node on the most-work chain').toBeDefined();
      expect(result.healMs!).toBeLessThanOrEqual(30_000);
      // The halves relinked by themselves: links cross the split that heal() did not open.
      expect(result.crossLinks).toBeGreaterThan(0);
      expect(result.healing.workDials + result.healing.feelers).toBeGreaterThan(0);
      expect(result.livenessViolations).toEqual([]);
      expect(result.returnedToMempools).toBe(true);
      expect(await confirmReturnedPayment(result)).toBe(true);
      expect(result.net.nodes.flatMap((sim) => sim.peerEvents.filter((event) => event.kind === 'ban'))).toEqual([]);
    } finally {
      result.net.close();
    }
  }, 120_000);
});
