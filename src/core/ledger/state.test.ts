import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tx } from '../tx.ts';
import type { PeerId } from '../types.ts';
import { TEST_PARAMS } from './params.ts';
import { StateDigest } from './state-digest.ts';
import { applyBlock, checkTxAgainstAccount, checkTxStateless, undoBlock } from './state.ts';
import type { Account, Block, BlockHeader } from './types.ts';

const params = TEST_PARAMS;
const ids: PeerId[] = ['a1', 'b2', 'c3', 'd4'].map((p) => p.repeat(32));
const [alice, bob, carol, miner] = ids as [PeerId, PeerId, PeerId, PeerId];
/** Signatures are the caller's job; these rules never look at them. */
const tx = (from: PeerId, to: PeerId, amount: number, fee: number, nonce: number): Tx => ({ from, to, amount, fee, nonce, signature: '00'.repeat(64) });
const header = (height: number, minerId = miner): BlockHeader => ({
  version: 1, prevHash: '00'.repeat(32), height, timeMs: 1, target: 'ff'.repeat(32), merkleRoot: '00'.repeat(32), nonce: 0, miner: minerId,
});
const total = (accounts: Map<PeerId, Account>) => [...accounts.values()].reduce((sum, a) => sum + a.balance, 0);

describe('transaction rules', () => {
  const account = { balance: 100, nonce: 3 };

  it('accepts the next nonce with enough funds, including spending everything', () => {
    expect(checkTxAgainstAccount(tx(alice, bob, 99, 1, 3), account, params)).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['bad-nonce', tx(alice, bob, 1, 1, 2)],
    ['nonce-too-high', tx(alice, bob, 1, 1, 4)],
    ['bad-amount', tx(alice, bob, 0, 1, 3)],
    ['bad-amount', tx(alice, bob, 1.5, 1, 3)],
    ['fee-too-low', tx(alice, bob, 1, 0, 3)],
    ['insufficient-funds', tx(alice, bob, 100, 1, 3)],
    ['self-transfer', tx(alice, alice, 1, 1, 3)],
    ['overflow', tx(alice, bob, Number.MAX_SAFE_INTEGER, 1, 3)],
    ['bad-field', tx(alice, bob, 1, 1.5, 3)],
    ['bad-field', tx(alice, bob, 1, 1, -1)],
    ['bad-field', { ...tx(alice, bob, 1, 1, 3), to: 'B2'.repeat(32) }],
    ['bad-field', { ...tx(alice, bob, 1, 1, 3), signature: 'ab' }],
  ] as const)('rejects %s', (reason, bad) => {
    expect(checkTxAgainstAccount(bad, account, params)).toMatchObject({ ok: false, reason });
  });

  it('applies minFee from the params', () => {
    expect(checkTxStateless(tx(alice, bob, 1, 4, 0), { ...params, minFee: 5 })).toMatchObject({ ok: false, reason: 'fee-too-low' });
  });
});

describe('applyBlock', () => {
  const start = () => new Map<PeerId, Account>([[alice, { balance: 100, nonce: 0 }]]);

  it('applies transactions in order, then pays reward + fees to the miner', () => {
    const accounts = start();
    const block: Block = { header: header(7), txs: [tx(alice, bob, 30, 2, 0), tx(alice, carol, 10, 3, 1), tx(bob, carol, 5, 1, 0)] };
    const applied = applyBlock(accounts, block, params);
    if (!applied.ok) throw new Error(applied.detail);
    expect(new Map(applied.value.changed)).toEqual(new Map([
      [alice, { balance: 55, nonce: 2 }],
      [bob, { balance: 24, nonce: 1 }],
      [carol, { balance: 15, nonce: 0 }],
      [miner, { balance: params.blockReward + 6, nonce: 0 }],
    ]));
    expect(applied.value.fees).toBe(6);
    expect(applied.value.reward).toBe(params.blockReward);
    expect(applied.value.undo.before).toEqual([
      { id: alice, account: { balance: 100, nonce: 0 } },
      { id: bob, account: null },
      { id: carol, account: null },
      { id: miner, account: null },
    ]);
    expect(accounts).toEqual(start()); // the view is not modified
  });

  it('makes the whole block invalid on one bad transaction, naming its index', () => {
    const block: Block = { header: header(1), txs: [tx(alice, bob, 30, 1, 0), tx(alice, bob, 30, 1, 0)] };
    expect(applyBlock(start(), block, params)).toMatchObject({ ok: false, reason: 'bad-nonce', txIndex: 1 });
    const spendsTooMuch: Block = { header: header(1), txs: [tx(alice, bob, 60, 1, 0), tx(alice, bob, 39, 1, 1)] };
    expect(applyBlock(start(), spendsTooMuch, params)).toMatchObject({ ok: false, reason: 'insufficient-funds', txIndex: 1 });
  });

  it('lets a recipient spend in the same block, after receiving', () => {
    const block: Block = { header: header(1), txs: [tx(alice, bob, 30, 1, 0), tx(bob, carol, 29, 1, 0)] };
    expect(applyBlock(start(), block, params).ok).toBe(true);
    const reversed: Block = { header: header(1), txs: [tx(bob, carol, 29, 1, 0), tx(alice, bob, 30, 1, 0)] };
    expect(applyBlock(start(), reversed, params)).toMatchObject({ ok: false, reason: 'insufficient-funds', txIndex: 0 });
  });

  it('refuses balances beyond 2^53-1', () => {
    const rich = new Map<PeerId, Account>([[alice, { balance: 100, nonce: 0 }], [bob, { balance: Number.MAX_SAFE_INTEGER - 5, nonce: 0 }]]);
    expect(applyBlock(rich, { header: header(1), txs: [tx(alice, bob, 10, 1, 0)] }, params)).toMatchObject({ ok: false, reason: 'overflow', txIndex: 0 });
    expect(applyBlock(rich, { header: header(1, bob), txs: [] }, params)).toMatchObject({ ok: false, reason: 'overflow' });
  });

  it('pays no reward for genesis', () => {
    const applied = applyBlock(new Map(), { header: header(0), txs: [] }, params);
    expect(applied).toMatchObject({ ok: true, value: { changed: [], reward: 0 } });
  });
});

describe('apply then undo', () => {
  /** Random transactions among four accounts; many are invalid, so only valid prefixes are applied. */
  const arbitraryTx = fc.record({
    from: fc.constantFrom(...ids),
    to: fc.constantFrom(...ids),
    amount: fc.integer({ min: 1, max: 60 }),
    fee: fc.integer({ min: 1, max: 3 }),
    nonceSkew: fc.constantFrom(0, 0, 0, 0, -1, 1),
  });

  it('restores the exact state and digest, and issues exactly the reward', () => {
    fc.assert(
      fc.property(fc.array(fc.array(arbitraryTx, { maxLength: 8 }), { minLength: 1, maxLength: 8 }), fc.constantFrom(...ids), (blocks, minerId) => {
        const accounts = new Map<PeerId, Account>([[alice, { balance: 200, nonce: 0 }], [bob, { balance: 50, nonce: 2 }]]);
        const history: { snapshot: Map<PeerId, Account>; digest: string; undo: Parameters<typeof undoBlock>[1] }[] = [];
        for (const [height, drafts] of blocks.entries()) {
          // Build a block of the drafts that are valid in sequence against the working state.
          const txs: Tx[] = [];
          const view = new Map([...accounts].map(([id, a]) => [id, { ...a }]));
          for (const d of drafts) {
            const nonce = (view.get(d.from)?.nonce ?? 0) + d.nonceSkew;
            const candidate = tx(d.from, d.to, d.amount, d.fee, nonce);
            // Fees go to an outside miner here: the real block pays them only after every transaction.
            const single = applyBlock(view, { header: header(1, 'ff'.repeat(32)), txs: [candidate] }, { ...params, blockReward: 0 });
            if (single.ok) {
              txs.push(candidate);
              for (const [id, a] of single.value.changed) if (id !== 'ff'.repeat(32)) view.set(id, a);
            }
          }
          const digest = StateDigest.of(accounts).hex();
          const applied = applyBlock(accounts, { header: header(height + 1, minerId), txs }, params, { hash: 'x', prevStateHash: digest });
          if (!applied.ok) throw new Error(`valid prefix refused: ${applied.detail}`);
          const snapshot = structuredClone(accounts);
          const before = total(accounts);
          for (const [id, a] of applied.value.changed) accounts.set(id, a);
          expect(total(accounts)).toBe(before + params.blockReward);
          for (const a of accounts.values()) expect(a.balance).toBeGreaterThanOrEqual(0);
          history.push({ snapshot, digest, undo: applied.value.undo });
        }
        for (const { snapshot, digest, undo } of history.reverse()) {
          undoBlock(accounts, undo);
          expect(accounts).toEqual(snapshot);
          expect(StateDigest.of(accounts).hex()).toBe(digest);
          expect(undo.prevStateHash).toBe(digest);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('state digest', () => {
  it('is order-free, and updates incrementally to the same value as a full recount', () => {
    const a = StateDigest.of([[alice, { balance: 1, nonce: 0 }], [bob, { balance: 2, nonce: 1 }]]);
    const b = StateDigest.of([[bob, { balance: 2, nonce: 1 }], [alice, { balance: 1, nonce: 0 }]]);
    expect(a.hex()).toBe(b.hex());
    a.replace(alice, { balance: 1, nonce: 0 }, { balance: 7, nonce: 0 });
    expect(a.hex()).toBe(StateDigest.of([[bob, { balance: 2, nonce: 1 }], [alice, { balance: 7, nonce: 0 }]]).hex());
    a.replace(alice, { balance: 7, nonce: 0 }, null);
    a.replace(bob, { balance: 2, nonce: 1 }, undefined);
    expect(a.hex()).toBe(new StateDigest().hex());
    expect(StateDigest.of([[alice, { balance: 1, nonce: 0 }]]).hex()).not.toBe(StateDigest.of([[alice, { balance: 1, nonce: 1 }]]).hex());
  });
});
