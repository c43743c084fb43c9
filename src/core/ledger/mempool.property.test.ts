/**
 * Property tests for the mempool: random schedules of admissions, mined
 * blocks, reorgs and expiry, checked against a tiny reference ledger.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { txId, type Tx } from '../tx.ts';
import type { PeerId } from '../types.ts';
import { createMempool, type AccountLookup, type Mempool } from './mempool.ts';
import { TEST_PARAMS } from './params.ts';
import { applyBlock as ledgerApplyBlock } from './state.ts';
import type { Account, Block } from './types.ts';

const SIG = '00'.repeat(64);
const peer = (n: number): PeerId => n.toString(16).padStart(2, '0').repeat(32);
const SENDERS = [1, 2, 3, 4].map(peer);
const MINER = peer(0xee);
const MIN_FEE = 2;
const params = { ...TEST_PARAMS, minFee: MIN_FEE };

type State = ReadonlyMap<PeerId, Account>;
const lookup = (state: State): AccountLookup => (id) => state.get(id) ?? { balance: 0, nonce: 0 };

/** The reference rules: each transaction must be its sender's next nonce and affordable; fees go to the miner. */
function applyBlock(state: State, txs: readonly Tx[]): Map<PeerId, Account> | string {
  const next = new Map(state);
  const get = lookup(next);
  for (const [i, tx] of txs.entries()) {
    const from = get(tx.from);
    if (tx.from === tx.to) return `tx ${i}: self-transfer`;
    if (tx.amount < 1 || tx.fee < MIN_FEE) return `tx ${i}: bad amount or fee`;
    if (tx.nonce !== from.nonce) return `tx ${i}: nonce ${tx.nonce}, expected ${from.nonce}`;
    if (tx.amount + tx.fee > from.balance) return `tx ${i}: ${tx.amount}+${tx.fee} exceeds balance ${from.balance}`;
    next.set(tx.from, { balance: from.balance - tx.amount - tx.fee, nonce: from.nonce + 1 });
    const to = get(tx.to);
    next.set(tx.to, { ...to, balance: to.balance + tx.amount });
    const miner = get(MINER);
    next.set(MINER, { ...miner, balance: miner.balance + tx.fee });
  }
  return next;
}

function makeBlock(height: number, txs: Tx[]): Block {
  const header = { version: 1, prevHash: '00'.repeat(32), height, timeMs: 0, target: 'ff'.repeat(32), merkleRoot: '00'.repeat(32), nonce: height, miner: MINER };
  return { header, txs };
}

const txSpec = fc.record({
  sender: fc.nat({ max: SENDERS.length - 1 }),
  /** Recipient index; SENDERS.length means the miner. */
  to: fc.nat({ max: SENDERS.length }),
  nonceAhead: fc.integer({ min: -1, max: 6 }),
  amount: fc.integer({ min: 1, max: 400 }),
  fee: fc.integer({ min: 0, max: 40 }),
});
type TxSpec = typeof txSpec extends fc.Arbitrary<infer T> ? T : never;

const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), spec: txSpec }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('mine' as const), maxTxs: fc.nat({ max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reorg' as const), depth: fc.integer({ min: 1, max: 3 }), replacement: fc.array(txSpec, { maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), advanceMs: fc.nat({ max: 4_000 }) }) },
);

function toTx(spec: TxSpec, state: State): Tx {
  const from = SENDERS[spec.sender]!;
  const to = spec.to === SENDERS.length ? MINER : SENDERS[spec.to]!;
  return { from, to, amount: spec.amount, fee: spec.fee, nonce: Math.max(0, lookup(state)(from).nonce + spec.nonceAhead), signature: SIG };
}

/** `maxPerSender` is checked only until the first reorg, which may leave a sender more (mempool.ts revalidateSender). */
function checkInvariants(pool: Mempool, state: State, maxTxs: number, maxPerSender: number | undefined): void {
  const get = lookup(state);
  expect(pool.size).toBeLessThanOrEqual(maxTxs);
  const entries = pool.list();
  expect(entries).toHaveLength(pool.size);
  for (let i = 1; i < entries.length; i++) expect(entries[i - 1]!.feeRate).toBeGreaterThanOrEqual(entries[i]!.feeRate);

  const perSender = new Map<PeerId, Tx[]>();
  for (const { tx } of entries) perSender.set(tx.from, [...(perSender.get(tx.from) ?? []), tx]);
  for (const [sender, txs] of perSender) {
    const account = get(sender);
    if (maxPerSender !== undefined) expect(txs.length).toBeLessThanOrEqual(maxPerSender);
    // No stale nonce survives a tip change, and the confirmed balance covers everything pooled.
    for (const tx of txs) expect(tx.nonce).toBeGreaterThanOrEqual(account.nonce);
    expect(pool.pendingSpend(sender)).toBeLessThanOrEqual(account.balance);
  }

  const selected = pool.selectForBlock(maxTxs, get).map((entry) => entry.tx);
  const applied = applyBlock(state, selected);
  expect(typeof applied === 'string' ? applied : 'applies').toBe('applies');
  // The ledger's own rules agree (state.ts applyBlock), so a miner never builds an invalid block.
  const real = ledgerApplyBlock({ get: (id) => state.get(id) }, makeBlock(1, selected), params, { hash: '00'.repeat(32), prevStateHash: '' });
  expect(real.ok ? 'applies' : `${real.reason}: ${real.detail}`).toBe('applies');
  const next = new Map<PeerId, number>();
  for (const tx of selected) {
    const expected = next.get(tx.from) ?? get(tx.from).nonce;
    expect(tx.nonce).toBe(expected);
    next.set(tx.from, expected + 1);
  }
}

describe('mempool properties', () => {
  it('stays bounded, consistent with the tip, and yields applicable blocks, whatever the schedule', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 2_000 }), { minLength: SENDERS.length, maxLength: SENDERS.length }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(op, { maxLength: 60 }),
        (balances, maxTxs, maxTxsPerSender, ops) => {
          const clock = { now: 0, nowMs: () => clock.now };
          const pool = createMempool({ params, maxTxs, expiryMs: 5_000, maxTxsPerSender, clock });
          const genesis: State = new Map(SENDERS.map((id, i) => [id, { balance: balances[i]!, nonce: 0 }]));
          const chain: { block: Block; state: State }[] = [];
          const tip = (): State => chain.at(-1)?.state ?? genesis;
          let reorged = false;

          for (const step of ops) {
            if (step.kind === 'add') {
              const tx = toTx(step.spec, tip());
              const id = txId(tx);
              const result = pool.add(tx, id, lookup(tip()));
              if (result.ok) {
                expect(pool.has(id)).toBe(true);
                for (const gone of result.value.evicted) expect(pool.has(gone)).toBe(false);
              }
            } else if (step.kind === 'mine') {
              const txs = pool.selectForBlock(step.maxTxs, lookup(tip())).map((entry) => entry.tx);
              const state = applyBlock(tip(), txs);
              if (typeof state === 'string') throw new Error(`selected block does not apply: ${state}`);
              const block = makeBlock(chain.length + 1, txs);
              chain.push({ block, state });
              const update = pool.onTip({ connected: [block], disconnected: [] }, lookup(state));
              expect(update.removed.sort()).toEqual(txs.map(txId).sort());
              for (const tx of txs) expect(pool.has(txId(tx))).toBe(false);
            } else if (step.kind === 'reorg') {
              reorged = true;
              const depth = Math.min(step.depth, chain.length);
              const disconnected = chain.splice(chain.length - depth, depth).map((link) => link.block).reverse();
              // The new branch: whichever replacement transactions apply, often reusing the old branch's nonces.
              let state = tip();
              const txs: Tx[] = [];
              for (const spec of step.replacement) {
                const tx = toTx({ ...spec, nonceAhead: 0, fee: Math.max(spec.fee, MIN_FEE) }, state);
                const next = applyBlock(state, [tx]);
                if (typeof next === 'string') continue;
                txs.push(tx);
                state = next;
              }
              const block = makeBlock(chain.length + 1, txs);
              chain.push({ block, state });
              const update = pool.onTip({ connected: [block], disconnected }, lookup(state));
              for (const id of update.readded) expect(pool.has(id)).toBe(true);
              for (const id of [...update.removed, ...update.dropped]) expect(pool.has(id)).toBe(false);
            } else {
              clock.now += step.advanceMs;
              const before = pool.list();
              const dropped = new Set(pool.expire());
              for (const entry of before) {
                if (clock.now - entry.addedMs > 5_000) expect(dropped.has(entry.id)).toBe(true);
              }
            }
            checkInvariants(pool, tip(), maxTxs, reorged ? undefined : maxTxsPerSender);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('returns every still-valid transaction of a disconnected block to a roomy pool', () => {
    fc.assert(
      fc.property(fc.array(txSpec, { minLength: 1, maxLength: 12 }), (specs) => {
        const clock = { nowMs: () => 0 };
        const pool = createMempool({ params, maxTxs: 1_000, expiryMs: 5_000, clock });
        const genesis: State = new Map(SENDERS.map((id) => [id, { balance: 100_000, nonce: 0 }])); // enough that no tx relies on an incoming credit
        let state = genesis;
        const txs: Tx[] = [];
        for (const spec of specs) {
          const tx = toTx({ ...spec, nonceAhead: 0, fee: Math.max(spec.fee, MIN_FEE) }, state);
          const next = applyBlock(state, [tx]);
          if (typeof next === 'string') continue;
          txs.push(tx);
          state = next;
        }
        // Disconnect the block and connect an empty one: the state is back at genesis.
        const update = pool.onTip({ connected: [makeBlock(1, [])], disconnected: [makeBlock(1, txs)] }, lookup(genesis));
        expect(update.readded).toEqual(txs.map(txId));
        expect(pool.selectForBlock(1_000, lookup(genesis)).map((entry) => entry.tx).sort((a, b) => a.from.localeCompare(b.from) || a.nonce - b.nonce))
          .toEqual([...txs].sort((a, b) => a.from.localeCompare(b.from) || a.nonce - b.nonce));
      }),
      { numRuns: 200 },
    );
  });
});
