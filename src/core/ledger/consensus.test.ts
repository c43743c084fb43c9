import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockHash } from './block.ts';
import { checkBlockCommitment, checkHeaderContext, checkProofOfWork, medianTimePast, nextTarget, type HeaderContext } from './consensus.ts';
import { MAIN_PARAMS, TEST_PARAMS, chainParams, type ChainParams } from './params.ts';
import { MAX_TARGET, hashMeetsTarget, targetFromHex, targetToHex, workForTarget } from './pow.ts';
import { mineHeader } from './testing.ts';
import type { BlockHeader } from './types.ts';

describe('proof-of-work math', () => {
  it('a hash equal to the target meets it; one more does not', () => {
    const target = 0x1234n << 200n;
    expect(hashMeetsTarget(targetToHex(target), target)).toBe(true);
    expect(hashMeetsTarget(targetToHex(target + 1n), target)).toBe(false);
    expect(hashMeetsTarget(targetToHex(target - 1n), targetToHex(target))).toBe(true);
  });

  it('agrees with bigint comparison', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_TARGET }), fc.bigInt({ min: 0n, max: MAX_TARGET }), (hash, target) => {
        expect(hashMeetsTarget(targetToHex(hash), target)).toBe(hash <= target);
      }),
    );
  });

  it('work is floor(2^256 / (target + 1))', () => {
    expect(workForTarget(MAX_TARGET)).toBe(1n);
    expect(workForTarget(0n)).toBe(1n << 256n);
    expect(workForTarget((1n << 252n) - 1n)).toBe(16n);
    expect(workForTarget((1n << 255n) - 1n)).toBe(2n);
    expect(() => workForTarget(-1n)).toThrow();
  });

  it('target hex round-trips at full precision', () => {
    expect(targetFromHex(targetToHex(MAIN_PARAMS.genesisTarget))).toBe(MAIN_PARAMS.genesisTarget);
    expect(targetToHex(1n)).toBe('00'.repeat(31) + '01');
  });
});

describe('params', () => {
  it('picks TEST for names starting with test, MAIN otherwise', () => {
    expect(chainParams('test')).toBe(TEST_PARAMS);
    expect(chainParams('test-42')).toBe(TEST_PARAMS);
    expect(chainParams('main')).toBe(MAIN_PARAMS);
    expect(chainParams('mytest')).toBe(MAIN_PARAMS);
  });

  it('MAIN expects ~10 s of measured hashing per block; TEST 16 hashes', () => {
    expect(workForTarget(MAIN_PARAMS.genesisTarget)).toBe(6_700_000n);
    expect(workForTarget(TEST_PARAMS.genesisTarget)).toBe(16n);
    expect(MAIN_PARAMS.genesisTarget).toBeLessThanOrEqual(MAIN_PARAMS.powLimit);
    expect(TEST_PARAMS.retargetIntervalBlocks).toBe(0);
  });
});

describe('medianTimePast', () => {
  it('takes the median of unsorted times, the upper middle for an even count', () => {
    expect(medianTimePast([5])).toBe(5);
    expect(medianTimePast([9, 1, 5])).toBe(5);
    expect(medianTimePast([4, 1, 3, 2])).toBe(3);
    expect(medianTimePast([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toBe(6);
  });
});

describe('nextTarget', () => {
  const params: ChainParams = { ...MAIN_PARAMS, retargetIntervalBlocks: 10, targetBlockMs: 1000, powLimit: (1n << 250n) - 1n };
  const base = 1n << 230n;
  /** Block h at time h × spacing. */
  const at = (spacingMs: number) => (height: number) => height * spacingMs;
  const parentAt = (height: number, spacingMs: number) => ({ height, timeMs: height * spacingMs, target: base });

  it('keeps the target between boundaries and always when the interval is 0', () => {
    expect(nextTarget(parentAt(4, 1), at(1), params)).toBe(base);
    expect(nextTarget(parentAt(9, 1), at(1), { ...params, retargetIntervalBlocks: 0 })).toBe(base);
    expect(nextTarget(parentAt(9, 1), at(1), TEST_PARAMS)).toBe(base);
  });

  it('leaves the target alone when blocks came on schedule', () => {
    expect(nextTarget(parentAt(19, 1000), at(1000), params)).toBe(base);
    // The first window starts at genesis and holds N − 1 intervals; it is judged fairly too.
    expect(nextTarget(parentAt(9, 1000), at(1000), params)).toBe(base);
  });

  it('scales by actual / expected, measuring N intervals from the previous window end', () => {
    // Window for height 20 spans heights 9..19: 10 intervals of 2 s against 10 expected of 1 s.
    expect(nextTarget(parentAt(19, 2000), at(2000), params)).toBe(base * 2n);
    expect(nextTarget(parentAt(19, 500), at(500), params)).toBe(base / 2n);
  });

  it('clamps to a factor of 4 either way, and to powLimit', () => {
    expect(nextTarget(parentAt(19, 1), at(1), params)).toBe(base / 4n);
    expect(nextTarget(parentAt(19, 100_000), at(100_000), params)).toBe(base * 4n);
    const backwards = { height: 19, timeMs: 0, target: base };
    expect(nextTarget(backwards, () => 1_000_000, params)).toBe(base / 4n);
    const easy = { height: 19, timeMs: 19 * 100_000, target: params.powLimit / 2n };
    expect(nextTarget(easy, at(100_000), params)).toBe(params.powLimit);
  });

  it('stays within [target/4, min(4·target, powLimit)] for any timestamps', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -1e9, max: 1e9 }), (first, last) => {
        const next = nextTarget({ height: 19, timeMs: last, target: base }, () => first, params);
        expect(next).toBeGreaterThanOrEqual(base / 4n);
        expect(next).toBeLessThanOrEqual(base * 4n);
      }),
    );
  });
});

describe('header rules', () => {
  const params = TEST_PARAMS;
  const target = targetToHex(params.genesisTarget);
  const header = mineHeader({ version: 1, prevHash: 'aa'.repeat(32), height: 5, timeMs: 10_000, target, merkleRoot: '00'.repeat(32), nonce: 0, miner: 'bb'.repeat(32) });
  const context: HeaderContext = { parentHeight: 4, expectedTarget: params.genesisTarget, medianTimePastMs: 9_000, nowMs: 10_000 };

  /** Re-mines after a change so that only the intended rule fails. */
  const remined = (change: Partial<BlockHeader>) => mineHeader({ ...header, ...change });

  it('accepts a well-formed header', () => {
    expect(checkHeaderContext(header, context, params)).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['bad-version', { version: 0 }, context],
    ['bad-height', { height: 6 }, context],
    ['bad-target', { target: targetToHex(params.genesisTarget / 2n) }, context],
    ['time-too-old', { timeMs: 9_000 }, context],
    ['time-too-new', { timeMs: 10_000 + 120_001 }, context],
  ] as const)('rejects %s', (reason, change, ctx) => {
    expect(checkHeaderContext(remined(change), ctx, params)).toMatchObject({ ok: false, reason });
  });

  it('accepts a time exactly 2 minutes ahead, and one just after the median time past', () => {
    expect(checkHeaderContext(remined({ timeMs: 130_000 }), context, params).ok).toBe(true);
    expect(checkHeaderContext(remined({ timeMs: 9_001 }), context, params).ok).toBe(true);
  });

  it('rejects a hash above the target, and a target easier than powLimit', () => {
    let bad = header;
    for (let nonce = 0; hashMeetsTarget(blockHash(bad), target); nonce++) bad = { ...header, nonce };
    expect(checkHeaderContext(bad, context, params)).toMatchObject({ ok: false, reason: 'bad-pow' });
    const tooEasy = mineHeader({ ...header, target: 'ff'.repeat(32) });
    expect(checkProofOfWork(tooEasy, params)).toMatchObject({ ok: false, reason: 'bad-target' });
  });
});

describe('block commitment', () => {
  const tx = { from: 'aa'.repeat(32), to: 'bb'.repeat(32), amount: 1, fee: 1, nonce: 0, signature: 'cc'.repeat(64) };
  const header = { version: 1, prevHash: 'aa'.repeat(32), height: 1, timeMs: 1, target: 'ff'.repeat(32), merkleRoot: '00'.repeat(32), nonce: 0, miner: 'bb'.repeat(32) };

  it('rejects a wrong root, a repeated transaction and too many transactions', () => {
    expect(checkBlockCommitment({ header, txs: [] }, TEST_PARAMS).ok).toBe(true);
    expect(checkBlockCommitment({ header, txs: [tx] }, TEST_PARAMS)).toMatchObject({ ok: false, reason: 'bad-merkle-root' });
    expect(checkBlockCommitment({ header, txs: [tx, tx] }, TEST_PARAMS)).toMatchObject({ ok: false, reason: 'duplicate-tx', txIndex: 1 });
    expect(checkBlockCommitment({ header, txs: [tx, { ...tx, nonce: 1 }] }, { ...TEST_PARAMS, maxBlockTxs: 1 })).toMatchObject({ ok: false, reason: 'too-many-txs' });
  });
});
