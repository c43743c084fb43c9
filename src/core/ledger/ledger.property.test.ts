import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../tx.ts';
import type { Signer } from '../types.ts';
import { genesisBlock } from './block.ts';
import { NETWORK, balances, childOf, send, setup, signers, sumOfBalances, type Fixture } from '../../../test/helpers/ledger-fixtures.ts';
import type { Ledger } from './ledger.ts';
import type { Block } from './types.ts';

let people: Signer[];
/** What the schedules exercised, across all runs: the test fails if a path was never taken. */
const seen: Record<string, number> = {};
const count = (key: string) => { seen[key] = (seen[key] ?? 0) + 1; };
beforeAll(async () => {
  people = await signers(1, 2, 3);
});

const draftTx = fc.record({
  from: fc.nat(2),
  to: fc.nat(2),
  amount: fc.integer({ min: 1, max: 20_000 }),
  fee: fc.integer({ min: 1, max: 5 }),
  nonceSkew: fc.constantFrom(0, 0, 0, 0, 1, -1),
});
const step = fc.record({
  /** 0 = on the newest block; larger numbers fork further back. */
  back: fc.constantFrom(0, 0, 0, 1, 2, 3),
  miner: fc.nat(2),
  txs: fc.array(draftTx, { maxLength: 3 }),
  /** Held back and delivered after later blocks, to exercise the orphan pool. */
  late: fc.constantFrom(false, false, false, false, false, false, false, true),
});

/** The best chain's blocks above genesis, from the ledger's own queries. */
async function bestChain(ledger: Ledger): Promise<Block[]> {
  const blocks: Block[] = [];
  for (let height = 1; height <= ledger.tip().height; height++) blocks.push((await ledger.getBlock(ledger.ancestorAt(height)!.hash))!);
  return blocks;
}

async function checkInvariants(fixture: Fixture): Promise<void> {
  const { ledger, store } = fixture;
  expect(sumOfBalances(ledger)).toBe(ledger.totalIssued());
  for (const [, account] of ledger.accounts()) expect(account.balance).toBeGreaterThanOrEqual(0);
  expect(store.tipRecord?.hash).toBe(ledger.tip().hash);
  const stored = await store.loadState();
  expect(new Map(stored!.accounts)).toEqual(new Map(ledger.accounts()));
}

describe('random block schedules', () => {
  it('keep balances equal to issuance, agree with a clean replay, and survive a restart', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
        const fixture = await setup();
        const { ledger } = fixture;
        ledger.events.on('tip', (event) => {
          if (event.disconnected.length > 0) count('reorged');
        });
        const produced: Block[] = [genesisBlock(NETWORK)];
        const late: Block[] = [];
        for (const s of steps) {
          const parent = produced[Math.max(0, produced.length - 1 - s.back)]!;
          // Nonces follow the tip's state, so transactions on forks are often invalid: that is the point.
          const used = new Map<number, number>();
          const txs: Tx[] = [];
          for (const d of s.txs) {
            // Mostly spend from funded accounts; a few unfunded spends keep invalid blocks coming.
            if (d.from === d.to || (ledger.account(people[d.from]!.peerId).balance === 0 && d.nonceSkew === 0)) continue;
            const offset = used.get(d.from) ?? 0;
            used.set(d.from, offset + 1);
            const nonce = Math.max(0, ledger.account(people[d.from]!.peerId).nonce + offset + d.nonceSkew);
            txs.push(await send(people[d.from]!, people[d.to]!.peerId, d.amount, nonce, d.fee));
          }
          const block = childOf(parent, people[s.miner]!.peerId, dedupe(txs), 1_000 + produced.length);
          produced.push(block);
          if (s.late) {
            late.push(block);
            continue;
          }
          const result = await ledger.acceptBlock(block);
          count(result.ok ? result.value.status : 'invalid');
          await checkInvariants(fixture);
        }
        for (const block of late) {
          const result = await ledger.acceptBlock(block);
          count(result.ok ? result.value.status : 'invalid');
          await checkInvariants(fixture);
        }

        const clean = await setup();
        for (const block of await bestChain(ledger)) {
          const result = await clean.ledger.acceptBlock(block);
          expect(result.ok).toBe(true);
        }
        expect(clean.ledger.tip()).toEqual(ledger.tip());
        expect(balances(clean.ledger)).toEqual(balances(ledger));

        const restarted = await setup({ store: fixture.store });
        expect(restarted.ledger.rebuilt).toBe(false);
        expect(restarted.ledger.tip()).toEqual(ledger.tip());
        expect(balances(restarted.ledger)).toEqual(balances(ledger));
      }),
      { numRuns: 60 },
    );
    for (const path of ['connected', 'reorged', 'side-branch', 'orphan', 'invalid']) expect(seen[path], `${path} never happened`).toBeGreaterThan(0);
  }, 120_000);
});

/** Identical drafts sign to identical transactions; a block may not repeat one. */
function dedupe(txs: Tx[]): Tx[] {
  const seen = new Set<string>();
  return txs.filter((tx) => !seen.has(tx.signature) && (seen.add(tx.signature), true));
}
