import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Signer } from '../types.ts';
import { NETWORK, childOf, nextBlock, setup, signers } from '../../../test/helpers/ledger-fixtures.ts';
import { mineHeader } from './testing.ts';
import { blockHash, genesisBlock } from './block.ts';
import { createDeploymentTracker, nextDeploymentState, signalsBit, type ChainPoint, type DeploymentState } from './deployments.ts';
import { MINFEE2, TEST_PARAMS, type Deployment } from './params.ts';
import type { Block } from './types.ts';

/** What the runs exercised: the test fails if forks at window edges, or some state, never came up. */
const seen: Record<string, number> = {};
const count = (key: string) => {
  seen[key] = (seen[key] ?? 0) + 1;
};

/** The state for the block at `height` on the chain whose versions (genesis first) are `versions`: from scratch, no cache. */
function reference(versions: readonly number[], height: number, d: Deployment): DeploymentState {
  let state: DeploymentState = 'DEFINED';
  for (let start = d.window; start <= height; start += d.window) {
    const signalling = versions.slice(start - d.window, start).filter((version) => signalsBit(version, d.bit)).length;
    state = nextDeploymentState(state, d, signalling, start);
  }
  return state;
}

function versionsTo(point: ChainPoint): number[] {
  const versions: number[] = [];
  for (let current: ChainPoint | undefined = point; current; current = current.parent) versions.push(current.header.version);
  return versions.reverse();
}

const deployment = fc
  .record({ window: fc.integer({ min: 2, max: 5 }), thresholdShare: fc.double({ min: 0.3, max: 1, noNaN: true }), start: fc.nat(15), span: fc.nat(40) })
  .map(({ window, thresholdShare, start, span }): Deployment => ({
    name: MINFEE2,
    bit: 0,
    window,
    threshold: Math.max(1, Math.ceil(thresholdShare * window)),
    // On window edges or not: states change only where a window starts.
    startHeight: start,
    timeoutHeight: start + span,
  }));

/** One block: a parent `back` blocks below the newest block, a version, then a query of some block's state. */
const step = fc.record({
  back: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4),
  version: fc.constantFrom(0x21, 0x21, 0x21, 0x20, 0x01, 0x61, 0x23, 0x3e),
  query: fc.nat(),
});

describe('deployment states over random header trees', () => {
  afterAll(() => {
    for (const key of ['fork at a window edge', 'DEFINED', 'STARTED', 'LOCKED_IN', 'ACTIVE', 'FAILED']) expect(seen[key] ?? 0, key).toBeGreaterThan(0);
  });

  it('equal a from-scratch count along each block path, queried in any order across forks', () => {
    fc.assert(
      fc.property(deployment, fc.array(step, { minLength: 1, maxLength: 120 }), (d, steps) => {
        const tracker = createDeploymentTracker({ ...TEST_PARAMS, deployments: [d] });
        const genesis: ChainPoint & { children: number } = { hash: 'g', height: 0, header: { version: 1 }, parent: undefined, children: 0 };
        const points: (ChainPoint & { children: number })[] = [genesis];
        let newest = genesis as ChainPoint;
        const check = (point: ChainPoint) => {
          const state = tracker.stateFor(point, MINFEE2);
          count(state);
          expect(state).toBe(reference(versionsTo(point), point.height + 1, d));
        };
        for (const [i, { back, version, query }] of steps.entries()) {
          let parent = newest;
          for (let k = 0; k < back && parent.parent; k++) parent = parent.parent;
          const parentPoint = points.find((p) => p.hash === parent.hash)!;
          if (++parentPoint.children === 2 && parent.height % d.window === d.window - 1) count('fork at a window edge');
          const point = { hash: `b${i}`, height: parent.height + 1, header: { version }, parent, children: 0 };
          points.push(point);
          newest = point;
          // Ask about any block, as a ledger switching branches would.
          check(points[query % points.length]!);
        }
        for (const point of points) check(point);
      }),
      { numRuns: 300 },
    );
  });
});

describe('deployment states on a ledger', () => {
  let miners: Signer[];
  beforeAll(async () => {
    miners = await signers(1, 2);
  });

  it('follow reorgs at window edges and are the same after a restart', async () => {
    const d: Deployment = { name: MINFEE2, bit: 0, startHeight: 0, timeoutHeight: 40, window: 4, threshold: 3 };
    const params = { deployments: [d] };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ pick: fc.constantFrom(0, 0, 0, 0, 0, 1, 2, 3, 5), signal: fc.constantFrom(true, true, true, false), miner: fc.nat(1) }), { minLength: 20, maxLength: 50 }),
        async (steps) => {
          const fixture = await setup({ params });
          const { ledger } = fixture;
          /** Accepted blocks, newest last: parents are picked among the last few, so side branches grow and win. */
          const recent: Block[] = [genesisBlock(NETWORK, ledger.params)];
          for (const [i, { pick, signal, miner }] of steps.entries()) {
            const parent = recent[Math.max(0, recent.length - 1 - pick)]!;
            const onTip = blockHash(parent.header) === ledger.tip().hash;
            let block: Block;
            if (onTip && signal) {
              block = nextBlock(fixture, miners[miner]!.peerId); // this build's template: signals while STARTED or LOCKED_IN
            } else {
              const plain = childOf(parent, miners[miner]!.peerId, [], 1_000 + i);
              block = { header: mineHeader({ ...plain.header, version: signal ? 0x21 : 1 }), txs: [] };
            }
            if (!onTip && parent.header.height % d.window === d.window - 1) count('ledger fork at an edge');
            fixture.clock.set(Math.max(fixture.clock.nowMs(), block.header.timeMs));
            const accepted = await ledger.acceptBlock(block);
            expect(accepted.ok).toBe(true);
            recent.push(block);
            if (accepted.ok && accepted.value.status === 'reorged') count('ledger reorg');
            const versions = Array.from({ length: ledger.tip().height + 1 }, (_, h) => ledger.ancestorAt(h)!.header.version);
            const state = ledger.deployments()[0]!.state;
            count(`ledger ${state}`);
            expect(state).toBe(reference(versions, ledger.tip().height + 1, d));
            expect(ledger.nextBlockParams().minFee).toBe(state === 'ACTIVE' ? 2 : 1);
          }
          const restarted = await setup({ store: fixture.store, clock: fixture.clock, params });
          expect(restarted.ledger.tip()).toEqual(ledger.tip());
          expect(restarted.ledger.deployments()).toEqual(ledger.deployments());
        },
      ),
      { numRuns: 30 },
    );
    for (const key of ['ledger fork at an edge', 'ledger reorg', 'ledger STARTED', 'ledger LOCKED_IN', 'ledger ACTIVE']) expect(seen[key] ?? 0, key).toBeGreaterThan(0);
  });
});
