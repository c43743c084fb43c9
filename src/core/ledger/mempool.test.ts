import { describe, expect, it } from 'vitest';
import { TX_BYTES, txId, type Tx } from '../tx.ts';
import type { PeerId } from '../types.ts';
import { DEFAULT_MAX_TXS_PER_SENDER, createMempool, type AccountLookup, type MempoolInit } from './mempool.ts';
import { TEST_PARAMS } from './params.ts';
import type { Account, Block } from './types.ts';

// Signatures are not the pool's business (the caller verifies them), so tests use a fixed dummy.
const SIG = '00'.repeat(64);
const peer = (n: number): PeerId => n.toString(16).padStart(2, '0').repeat(32);
const [A, B, C, D] = [1, 2, 3, 4].map(peer) as [PeerId, PeerId, PeerId, PeerId];
const SINK = peer(0xee);

function tx(from: PeerId, nonce: number, fee = 10, amount = 100, to: PeerId = SINK): Tx {
  return { from, to, amount, fee, nonce, signature: SIG };
}

/** txId, or a stand-in for transactions too malformed to encode (the pool must refuse them before hashing). */
function idOf(t: Tx): string {
  try {
    return txId(t);
  } catch (error) {
    return `unencodable ${String(error)} ${JSON.stringify(t)}`;
  }
}

function accounts(entries: Record<PeerId, Account>): AccountLookup {
  return (id) => entries[id] ?? { balance: 0, nonce: 0 };
}

function setup({ minFee = 1, ...init }: Partial<Omit<MempoolInit, 'params' | 'clock'>> & { minFee?: number } = {}) {
  const clock = { now: 1_000, nowMs: () => clock.now };
  const pool = createMempool({ params: { ...TEST_PARAMS, minFee }, maxTxs: 100, expiryMs: 60_000, clock, ...init });
  const add = (t: Tx, state: AccountLookup) => pool.add(t, idOf(t), state);
  return { pool, clock, add };
}

function block(height: number, txs: Tx[]): Block {
  const header = { version: 1, prevHash: '00'.repeat(32), height, timeMs: 0, target: 'ff'.repeat(32), merkleRoot: '00'.repeat(32), nonce: 0, miner: SINK };
  return { header, txs };
}

const rich = accounts({ [A]: { balance: 1_000_000, nonce: 0 }, [B]: { balance: 1_000_000, nonce: 0 }, [C]: { balance: 1_000_000, nonce: 0 }, [D]: { balance: 1_000_000, nonce: 0 } });

describe('mempool admission', () => {
  it('admits a valid transaction and exposes it', () => {
    const { pool, add } = setup();
    const t = tx(A, 0);
    expect(add(t, rich)).toEqual({ ok: true, value: { evicted: [] } });
    expect(pool.has(txId(t))).toBe(true);
    expect(pool.get(txId(t))).toEqual(t);
    expect(pool.size).toBe(1);
    expect(pool.list()).toMatchObject([{ id: txId(t), sizeBytes: TX_BYTES, feeRate: 10 / TX_BYTES, addedMs: 1_000 }]);
  });

  it.each([
    ['duplicate', () => tx(A, 0), 'duplicate'],
    ['zero amount', () => tx(A, 1, 10, 0), 'bad-amount'],
    ['fractional amount', () => tx(A, 1, 10, 1.5), 'bad-amount'],
    ['fee below the minimum', () => tx(A, 1, 4), 'fee-too-low'],
    ['self-transfer', () => tx(A, 1, 10, 100, A), 'self-transfer'],
    ['nonce already used', () => tx(B, 4), 'bad-nonce'],
    ['negative nonce', () => tx(B, -1), 'bad-field'],
    ['a malformed recipient', () => tx(A, 1, 10, 100, 'A'.repeat(64)), 'bad-field'],
    ['amount + fee above 2^53-1', () => tx(A, 1, 10, Number.MAX_SAFE_INTEGER - 5), 'overflow'],
    ['nonce 25 ahead', () => tx(B, 5 + DEFAULT_MAX_TXS_PER_SENDER), 'nonce-too-high'],
    ['more than the balance', () => tx(C, 0, 10, 991), 'insufficient-funds'],
  ] as const)('rejects %s as %s', (_what, make, reason) => {
    const { pool, add } = setup({ minFee: 5 });
    const state = accounts({ [A]: { balance: 1_000, nonce: 0 }, [B]: { balance: 1_000, nonce: 5 }, [C]: { balance: 1_000, nonce: 0 } });
    expect(add(tx(A, 0), state).ok).toBe(true);
    const result = add(make(), state);
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok === false && result.detail.length > 0).toBe(true);
    expect(pool.size).toBe(1);
  });

  it('accepts the last nonce within the per-sender bound', () => {
    const { add } = setup();
    const state = accounts({ [B]: { balance: 1_000, nonce: 5 } });
    expect(add(tx(B, 4 + DEFAULT_MAX_TXS_PER_SENDER), state).ok).toBe(true);
  });

  it('counts the sender\'s lower pooled nonces against its balance', () => {
    const { add } = setup();
    const state = accounts({ [A]: { balance: 330, nonce: 0 } });
    expect(add(tx(A, 0), state).ok).toBe(true); // 110
    expect(add(tx(A, 1), state).ok).toBe(true); // 220
    expect(add(tx(A, 2, 10, 101), state)).toMatchObject({ ok: false, reason: 'insufficient-funds' });
    expect(add(tx(A, 2), state).ok).toBe(true); // exactly 330
  });

  it('allows nonce gaps, and pendingNonce counts only the contiguous run', () => {
    const { pool, add } = setup();
    const state = accounts({ [A]: { balance: 10_000, nonce: 3 } });
    expect(pool.pendingNonce(A, state)).toBe(3);
    add(tx(A, 3), state);
    add(tx(A, 5), state);
    expect(pool.pendingNonce(A, state)).toBe(4);
    add(tx(A, 4), state);
    expect(pool.pendingNonce(A, state)).toBe(6);
    expect(pool.pendingSpend(A)).toBe(330);
    expect(pool.pendingSpend(B)).toBe(0);
  });

  it('drops later nonces a filled gap leaves unaffordable', () => {
    const { pool, add } = setup();
    const state = accounts({ [A]: { balance: 300, nonce: 0 } });
    const later = tx(A, 1, 10, 200);
    add(later, state);
    expect(add(tx(A, 0), state)).toEqual({ ok: true, value: { evicted: [txId(later)] } });
    expect(pool.size).toBe(1);
  });
});

describe('replace-by-fee', () => {
  it('replaces the same sender and nonce only for a strictly higher fee', () => {
    const { pool, add } = setup();
    const first = tx(A, 0, 10);
    add(first, rich);
    expect(add(tx(A, 0, 10, 99), rich)).toMatchObject({ ok: false, reason: 'replacement-fee-too-low' });
    const bumped = tx(A, 0, 11, 99);
    expect(add(bumped, rich)).toEqual({ ok: true, value: { replaced: txId(first), evicted: [] } });
    expect(pool.has(txId(first))).toBe(false);
    expect(pool.list().map((e) => e.id)).toEqual([txId(bumped)]);
  });

  it('evicts later nonces the higher replacement fee leaves unaffordable', () => {
    const { pool, add } = setup();
    const state = accounts({ [A]: { balance: 220, nonce: 0 } });
    const second = tx(A, 1);
    add(tx(A, 0), state);
    add(second, state);
    const result = add(tx(A, 0, 20), state);
    expect(result).toMatchObject({ ok: true, value: { evicted: [txId(second)] } });
    expect(pool.size).toBe(1);
  });

  it('needs funds for the replacement itself', () => {
    const { add } = setup();
    const state = accounts({ [A]: { balance: 110, nonce: 0 } });
    add(tx(A, 0), state);
    expect(add(tx(A, 0, 11), state)).toMatchObject({ ok: false, reason: 'insufficient-funds' });
  });
});

describe('bounded size', () => {
  it('evicts the lowest fee rate for a better transaction, and refuses a worse one', () => {
    const { pool, add } = setup({ maxTxs: 3 });
    const [low, mid, high] = [tx(A, 0, 5), tx(B, 0, 7), tx(C, 0, 9)];
    for (const t of [low, mid, high]) add(t, rich);
    expect(add(tx(D, 0, 4), rich)).toMatchObject({ ok: false, reason: 'mempool-full' });
    // A tie ranks the elder first, so the newcomer is the lowest.
    expect(add(tx(D, 0, 5), rich)).toMatchObject({ ok: false, reason: 'mempool-full' });
    const better = tx(D, 0, 6);
    expect(add(better, rich)).toEqual({ ok: true, value: { evicted: [txId(low)] } });
    expect(pool.list().map((e) => e.id)).toEqual([high, mid, better].map(txId));
  });

  it('evicts the victim\'s later nonces with it', () => {
    const { pool, add } = setup({ maxTxs: 3 });
    const a0 = tx(A, 0, 2);
    const a1 = tx(A, 1, 50);
    add(a0, rich);
    add(a1, rich);
    add(tx(B, 0, 9), rich);
    const result = add(tx(C, 0, 3), rich);
    expect(result).toMatchObject({ ok: true, value: { evicted: [txId(a0), txId(a1)] } });
    expect(pool.size).toBe(2);
  });

  it('refuses a newcomer that depends on the transaction it would evict', () => {
    const { pool, add } = setup({ maxTxs: 2 });
    add(tx(A, 0, 2), rich);
    add(tx(B, 0, 9), rich);
    expect(add(tx(A, 1, 50), rich)).toMatchObject({ ok: false, reason: 'mempool-full' });
    expect(pool.size).toBe(2);
  });

  it('lets a replacement in when full, since it frees its own slot', () => {
    const { pool, add } = setup({ maxTxs: 2 });
    add(tx(A, 0, 2), rich);
    add(tx(B, 0, 9), rich);
    expect(add(tx(A, 0, 3), rich)).toMatchObject({ ok: true, value: { evicted: [] } });
    expect(pool.size).toBe(2);
  });
});

describe('selectForBlock', () => {
  it('takes the best fee rate among each sender\'s next nonce, keeping nonce order', () => {
    const { pool, add } = setup();
    const [a0, a1, b0, b1] = [tx(A, 0, 1), tx(A, 1, 100), tx(B, 0, 50), tx(B, 1, 2)];
    for (const t of [a0, a1, b0, b1]) add(t, rich);
    expect(pool.selectForBlock(10, rich).map((e) => e.tx)).toEqual([b0, b1, a0, a1]);
    expect(pool.selectForBlock(2, rich).map((e) => e.tx)).toEqual([b0, b1]);
    expect(pool.selectForBlock(0, rich)).toEqual([]);
  });

  it('stops a sender at a nonce gap and at its balance', () => {
    const { pool, add } = setup();
    const funds = { [A]: { balance: 1_000, nonce: 0 }, [B]: { balance: 1_000, nonce: 0 } };
    for (const t of [tx(A, 0), tx(A, 2), tx(B, 0), tx(B, 1)]) add(t, accounts(funds));
    // B's balance drops after admission (say, a block spent it): only B0 still fits.
    funds[B] = { balance: 150, nonce: 0 };
    expect(pool.selectForBlock(10, accounts(funds)).map((e) => [e.tx.from, e.tx.nonce])).toEqual([[A, 0], [B, 0]]);
  });

  it('respects a byte budget', () => {
    const { pool, add } = setup();
    for (const t of [tx(A, 0), tx(B, 0), tx(C, 0)]) add(t, rich);
    expect(pool.selectForBlock(10, rich, 2 * TX_BYTES + 10)).toHaveLength(2);
  });
});

describe('expiry', () => {
  it('drops entries older than expiryMs, with their senders\' later nonces', () => {
    const { pool, clock, add } = setup({ expiryMs: 1_000 });
    const [a0, b0] = [tx(A, 0), tx(B, 0)];
    add(a0, rich);
    add(b0, rich);
    clock.now += 600;
    const [a1, c0] = [tx(A, 1), tx(C, 0)];
    add(a1, rich);
    add(c0, rich);
    expect(pool.expire(2_000)).toEqual([]);
    expect(pool.expire(2_001).sort()).toEqual([a0, a1, b0].map(txId).sort());
    expect(pool.list().map((e) => e.tx)).toEqual([c0]);
    clock.now = 10_000;
    expect(pool.expire()).toEqual([txId(c0)]);
  });
});

describe('onTip', () => {
  it('removes confirmed transactions and drops ones the new state invalidates', () => {
    const { pool, add } = setup();
    const funds = { [A]: { balance: 1_000, nonce: 0 }, [B]: { balance: 1_000, nonce: 0 } };
    const [a0, a1, conflicting, b0] = [tx(A, 0), tx(A, 1), tx(A, 0, 10, 7), tx(B, 0, 10, 800)];
    for (const t of [a0, a1, b0]) add(t, accounts(funds));
    // The block confirms a1 and a different A0; B spent elsewhere.
    const after = accounts({ [A]: { balance: 780, nonce: 2 }, [B]: { balance: 500, nonce: 0 } });
    const update = pool.onTip({ connected: [block(1, [conflicting, a1])], disconnected: [] }, after);
    expect(update).toEqual({ removed: [txId(a1)], readded: [], dropped: [txId(a0), txId(b0)] });
    expect(pool.size).toBe(0);
  });

  it('returns transactions of disconnected blocks unless the new branch holds them', () => {
    const { pool } = setup();
    const [a0, a1, b0] = [tx(A, 0), tx(A, 1), tx(B, 0)];
    // Old branch had [a0, a1] at height 1 and [b0] at height 2; the new branch holds only a0.
    const state = accounts({ [A]: { balance: 890, nonce: 1 }, [B]: { balance: 1_000, nonce: 0 } });
    const update = pool.onTip({ connected: [block(1, [a0])], disconnected: [block(2, [b0]), block(1, [a0, a1])] }, state);
    expect(update).toEqual({ removed: [], readded: [txId(a1), txId(b0)], dropped: [] });
    expect(pool.selectForBlock(10, state).map((e) => e.tx)).toEqual([a1, b0]);
  });

  it('keeps, after a reorg lowers a sender\'s nonce, the transactions the per-sender window no longer covers', () => {
    const max = 3;
    const { pool, add } = setup({ maxTxsPerSender: max });
    // Old branch: A's nonces 0–2 confirmed; 3–5 pooled (window 3..5).
    const before = accounts({ [A]: { balance: 10_000, nonce: 3 } });
    const pooled = [3, 4, 5].map((nonce) => tx(A, nonce));
    for (const t of pooled) expect(add(t, before).ok).toBe(true);
    // The new branch holds none of A's transactions: nonces 0–2 return, and 3–5 lie beyond the window.
    const after = accounts({ [A]: { balance: 10_000, nonce: 0 } });
    const returned = [0, 1, 2].map((nonce) => tx(A, nonce));
    const update = pool.onTip({ connected: [block(1, [])], disconnected: [block(1, returned)] }, after);
    expect(update.dropped).toEqual([]);
    expect(update.readded).toEqual(returned.map(txId));
    expect(pool.pendingNonce(A, after)).toBe(6); // the wallet never re-signs a nonce still alive
    expect(pool.selectForBlock(10, after).map((entry) => entry.tx.nonce)).toEqual([0, 1, 2, 3, 4, 5]);
    // Admission still keeps to the window.
    expect(add(tx(A, 6), after)).toMatchObject({ ok: false, reason: 'nonce-too-high' });
  });

  it('does not return a disconnected transaction the new state cannot afford', () => {
    const { pool } = setup();
    const state = accounts({ [A]: { balance: 50, nonce: 0 } });
    expect(pool.onTip({ connected: [], disconnected: [block(1, [tx(A, 0)])] }, state)).toEqual({ removed: [], readded: [], dropped: [] });
  });
});

describe('createMempool', () => {
  it('takes its bounds from the network parameters', () => {
    const pool = createMempool({ params: { ...TEST_PARAMS, mempoolMaxTxs: 1 }, clock: { nowMs: () => 0 } });
    expect(pool.add(tx(A, 0), txId(tx(A, 0)), rich).ok).toBe(true);
    expect(pool.add(tx(B, 0), txId(tx(B, 0)), rich)).toMatchObject({ ok: false, reason: 'mempool-full' });
  });

  it('rejects bad limits, naming the field', () => {
    const clock = { nowMs: () => 0 };
    expect(() => createMempool({ params: TEST_PARAMS, maxTxs: 0, clock })).toThrow(/maxTxs/);
    expect(() => createMempool({ params: TEST_PARAMS, expiryMs: 0.5, clock })).toThrow(/expiryMs/);
    expect(() => createMempool({ params: TEST_PARAMS, maxTxsPerSender: 0, clock })).toThrow(/maxTxsPerSender/);
  });
});
