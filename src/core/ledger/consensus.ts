/**
 * Contextual block rules (docs/PROTOCOL.md, "Consensus rules"): median time
 * past, difficulty retargeting, header checks against the parent, and the
 * stateless checks of a block body. Account rules live in state.ts.
 */
import type { TxId } from '../types.ts';
import { BLOCK_VERSION, blockHash, blockTxIds, isValidBlockVersion, ledgerAccept, ledgerReject, merkleRoot } from './block.ts';
import type { ChainParams } from './params.ts';
import { hashMeetsTarget, targetFromHex, targetToHex } from './pow.ts';
import { checkTxStateless } from './state.ts';
import type { Block, BlockHeader, LedgerResult } from './types.ts';

/**
 * Bitcoin's GetMedianTimePast: the median of the given block times (the
 * parent and up to medianTimeSpan − 1 of its ancestors). With an even count it
 * takes the upper middle, as Bitcoin does.
 */
export function medianTimePast(timesMs: readonly number[]): number {
  if (timesMs.length === 0) throw new RangeError('medianTimePast needs at least one block time');
  const sorted = [...timesMs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** What nextTarget needs to know about a block. */
export interface TargetInfo {
  height: number;
  timeMs: number;
  /** The block's target as an integer. */
  target: bigint;
}

/**
 * The target the child of `parent` must carry.
 *
 * Every retargetIntervalBlocks blocks (height h a multiple of N) the target is
 * scaled by actual / expected time, Bitcoin-style, with two deliberate fixes:
 * - the window starts at the last block of the previous window (height h − N − 1),
 *   so windows overlap and the time of every interval is counted: Bitcoin's
 *   off-by-one measures 2015 intervals against 2016 and leaves windows unjoined
 *   (the "time warp" attack);
 * - expected = (parent.height − first.height) × targetBlockMs, so the first
 *   window (which starts at genesis and holds N − 1 intervals) is fair too.
 * The actual time is clamped to [expected / 4, expected × 4], the result is
 * never easier than powLimit and never below 1. N = 0 keeps the target constant.
 *
 * `timeAt(height)` returns the time of the parent's ancestor at that height.
 */
export function nextTarget(parent: TargetInfo, timeAt: (height: number) => number, params: Readonly<ChainParams>): bigint {
  const interval = params.retargetIntervalBlocks;
  const height = parent.height + 1;
  if (interval === 0 || height % interval !== 0) return parent.target;
  const firstHeight = Math.max(0, height - interval - 1);
  const expectedMs = (parent.height - firstHeight) * params.targetBlockMs;
  const factor = params.maxRetargetFactor;
  const actualMs = Math.min(expectedMs * factor, Math.max(Math.ceil(expectedMs / factor), parent.timeMs - timeAt(firstHeight)));
  let target = (parent.target * BigInt(actualMs)) / BigInt(expectedMs);
  if (target > params.powLimit) target = params.powLimit;
  return target < 1n ? 1n : target;
}

/**
 * Context-free proof-of-work: the claimed target is no easier than powLimit and
 * the header's hash meets it. Cheap enough to run before anything else, even
 * for orphans whose parent is unknown.
 */
export function checkProofOfWork(header: BlockHeader, params: Readonly<ChainParams>, hash = blockHash(header)): LedgerResult<void> {
  const target = targetFromHex(header.target);
  if (target > params.powLimit) return ledgerReject('bad-target', `target ${header.target} is easier than the network's limit`);
  if (!hashMeetsTarget(hash, target)) return ledgerReject('bad-pow', `hash ${hash} does not meet target ${header.target}`);
  return ledgerAccept(undefined);
}

/** What checkHeaderContext needs to know about the header's parent and the node. */
export interface HeaderContext {
  parentHeight: number;
  /** nextTarget() of the parent. */
  expectedTarget: bigint;
  /** medianTimePast() of the parent and its ancestors. */
  medianTimePastMs: number;
  /** The validating node's clock. */
  nowMs: number;
}

/**
 * A header's rules against its parent, in Bitcoin's order: version, height,
 * target, proof-of-work, time after the median time past, time not more than
 * maxFutureBlockMs ahead of this node's clock. 'time-too-new' is the one
 * rejection that can later pass, so callers must not remember it as invalid.
 */
export function checkHeaderContext(header: BlockHeader, context: HeaderContext, params: Readonly<ChainParams>, hash = blockHash(header)): LedgerResult<void> {
  if (!isValidBlockVersion(header.version)) return ledgerReject('bad-version', `header version ${header.version}, expected at least ${BLOCK_VERSION}`);
  if (header.height !== context.parentHeight + 1) return ledgerReject('bad-height', `height ${header.height}, parent is at ${context.parentHeight}`);
  if (header.target !== targetToHex(context.expectedTarget)) return ledgerReject('bad-target', `target ${header.target}, expected ${targetToHex(context.expectedTarget)}`);
  const pow = checkProofOfWork(header, params, hash);
  if (!pow.ok) return pow;
  if (header.timeMs <= context.medianTimePastMs) {
    return ledgerReject('time-too-old', `time ${header.timeMs} is not after the median time past ${context.medianTimePastMs}`);
  }
  if (header.timeMs > context.nowMs + params.maxFutureBlockMs) {
    return ledgerReject('time-too-new', `time ${header.timeMs} is more than ${params.maxFutureBlockMs} ms ahead of now (${context.nowMs})`);
  }
  return ledgerAccept(undefined);
}

/**
 * Checks that the body is the one the header commits to: the transaction count
 * is within the limit, no id repeats, and the Merkle root matches. A failure
 * here says nothing about the header (a peer may have sent a mutated body for
 * a valid header), so callers must not mark the header invalid for it.
 * Returns the transaction ids for reuse.
 */
export function checkBlockCommitment(block: Block, params: Readonly<ChainParams>): LedgerResult<TxId[]> {
  if (block.txs.length > params.maxBlockTxs) return ledgerReject('too-many-txs', `block has ${block.txs.length} transactions, limit ${params.maxBlockTxs}`);
  const ids = blockTxIds(block);
  const seen = new Set<TxId>();
  for (const [index, id] of ids.entries()) {
    if (seen.has(id)) return ledgerReject('duplicate-tx', `transaction ${index} (${id}) appears twice`, index);
    seen.add(id);
  }
  const root = merkleRoot(ids);
  if (root !== block.header.merkleRoot) return ledgerReject('bad-merkle-root', `merkle root ${root}, header says ${block.header.merkleRoot}`);
  return ledgerAccept(ids);
}

/**
 * The stateless rules for every transaction of a block whose body matches its
 * header (checkTxStateless: amount, fee, self-transfer, integer ranges).
 * A failure here does make the block invalid. `params` are the ones the block
 * is held to: DeploymentTracker.paramsFor(parent), with active deployments applied.
 */
export function checkBlockTxsStateless(block: Block, params: Readonly<ChainParams>): LedgerResult<void> {
  for (const [index, tx] of block.txs.entries()) {
    const result = checkTxStateless(tx, params);
    if (!result.ok) return ledgerReject(result.reason, `transaction ${index}: ${result.detail}`, index);
  }
  return ledgerAccept(undefined);
}
