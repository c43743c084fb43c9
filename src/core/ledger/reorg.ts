/**
 * Fork choice and reorganisation (docs/PROTOCOL.md, "Fork choice"): the best
 * chain is the valid chain with the most cumulative work; among equal work the
 * tip seen first stays. Switching branches disconnects back to the fork point
 * with stored undo data (never a replay from genesis), then connects the new
 * branch in runs of blocks, one atomic store commit per run (a group commit:
 * one IndexedDB transaction for many blocks, docs/PERFORMANCE.md, "Late-joiner sync").
 * A block that breaks a rule while connecting is marked invalid with its
 * descendants; the blocks of its run before it are committed without it, and
 * the ledger moves to the best chain that is still valid.
 */
import type { BlockHash, Logger } from '../types.ts';
import type { ActiveChain, PathBlock } from './active-chain.ts';
import { blockHash } from './block.ts';
import { checkBlockCommitment } from './consensus.ts';
import { forkPoint, ranksAbove, type HeaderEntry, type HeaderIndex } from './header-index.ts';
import type { ChainParams } from './params.ts';
import type { Block, ChainStore, LedgerReject } from './types.ts';

/**
 * Blocks connected in one store commit, at most. A sync's groups are smaller
 * (the bodies in flight: 16 per peer, 24 in all); this bounds a long path (a reorg, or a
 * stored branch connected at load) so its IndexedDB transaction stays small.
 */
export const MAX_BLOCKS_PER_COMMIT = 64;

export interface ReorgComponents {
  index: HeaderIndex;
  chain: ActiveChain;
  store: ChainStore;
  params: Readonly<ChainParams>;
  log: Logger;
  /** Storage turned out corrupt while disconnecting: reset to genesis (the one allowed replay). */
  recover(reason: string): Promise<void>;
}

/** What one activation did, for the caller to report and emit. */
export interface ActivationReport {
  /** Every block connected or disconnected along the way, by hash. */
  touched: Map<BlockHash, Block>;
  /** Blocks found invalid while connecting, with the rule they broke. */
  failures: Map<BlockHash, LedgerReject>;
}

export function newActivationReport(): ActivationReport {
  return { touched: new Map(), failures: new Map() };
}

/** A stored block, checked against the header it is indexed under; undefined when missing or damaged. */
async function loadBlock(components: ReorgComponents, entry: HeaderEntry): Promise<Block | undefined> {
  const block = await components.store.getBlock(entry.hash);
  if (!block || blockHash(block.header) !== entry.hash) return undefined;
  return checkBlockCommitment(block, components.params).ok ? block : undefined;
}

/** Moves the active chain to `target`; false when a block on the way failed (and was marked or dropped). */
async function switchTo(components: ReorgComponents, target: HeaderEntry, hints: ReadonlyMap<BlockHash, Block>, report: ActivationReport): Promise<boolean> {
  const { chain, index, log } = components;
  let fork = forkPoint(chain.tip(), target);
  while (chain.tip() !== fork) {
    const disconnected = await chain.disconnectTip();
    if (typeof disconnected === 'string') {
      // Report the blocks the reset drops, so their transactions can return to the mempool.
      for (let entry: HeaderEntry | undefined = chain.tip(); entry && entry !== fork; entry = entry.parent) {
        const block = await components.store.getBlock(entry.hash);
        if (block) report.touched.set(entry.hash, block);
      }
      await components.recover(disconnected);
      fork = forkPoint(chain.tip(), target);
      break;
    }
    report.touched.set(blockHash(disconnected.header), disconnected);
  }
  const path: HeaderEntry[] = [];
  for (let entry: HeaderEntry | undefined = target; entry && entry !== fork; entry = entry.parent) path.push(entry);
  path.reverse();
  // The path connects in runs of at most MAX_BLOCKS_PER_COMMIT blocks, one store commit each (group commit).
  for (let start = 0; start < path.length; start += MAX_BLOCKS_PER_COMMIT) {
    const run: PathBlock[] = [];
    let missing: HeaderEntry | undefined;
    for (const entry of path.slice(start, start + MAX_BLOCKS_PER_COMMIT)) {
      const block = hints.get(entry.hash) ?? (await loadBlock(components, entry));
      if (!block) {
        missing = entry;
        break;
      }
      run.push({ entry, block });
    }
    const { connected, failure } = run.length > 0 ? await chain.connectPath(run) : { connected: 0, failure: undefined };
    for (const { entry, block } of run.slice(0, connected)) report.touched.set(entry.hash, block);
    if (failure) {
      const { entry } = run[connected]!;
      index.markInvalid(entry, failure.reason, failure.detail);
      report.failures.set(entry.hash, failure);
      log.warn('block breaks a ledger rule; marking it and its descendants invalid', { hash: entry.hash, height: entry.height, reason: failure.reason, detail: failure.detail });
      return false;
    }
    if (missing) {
      const removed = index.removeSubtree(missing);
      log.warn('stored block is missing or damaged; forgetting it and its descendants until a peer sends them again', { hash: missing.hash, forgotten: removed.length });
      return false;
    }
  }
  return true;
}

/**
 * Makes the best valid chain active: switches when the target ranks above the
 * tip (more work, or equal work and seen first, see ranksAbove). A new
 * `candidate` is the newest entry, so it wins only with strictly more work.
 * After a failure, or without a candidate, the target is the index's best
 * valid entry, so a failed reorg returns to the tip that was seen first.
 * Each failure marks or forgets at least one entry, so the loop ends.
 */
export async function activateBestChain(
  components: ReorgComponents,
  candidate: HeaderEntry | undefined,
  hints: ReadonlyMap<BlockHash, Block>,
  report: ActivationReport,
): Promise<void> {
  let target = candidate;
  for (;;) {
    target ??= components.index.best();
    if (target.invalid || !ranksAbove(target, components.chain.tip())) return;
    if (await switchTo(components, target, hints, report)) return;
    target = undefined;
  }
}

/**
 * The net change between two tips, from blocks the activation touched:
 * disconnected from `from` down to the fork point (tip first), then connected
 * up to `to` (lowest first). A block disconnected and connected again during a
 * failed reorg appears in neither.
 */
export function netChange(from: HeaderEntry, to: HeaderEntry, report: ActivationReport): { connected: Block[]; disconnected: Block[] } {
  const fork = forkPoint(from, to);
  const disconnected: Block[] = [];
  for (let entry: HeaderEntry | undefined = from; entry && entry !== fork; entry = entry.parent) {
    const block = report.touched.get(entry.hash);
    if (block) disconnected.push(block);
  }
  const connected: Block[] = [];
  for (let entry: HeaderEntry | undefined = to; entry && entry !== fork; entry = entry.parent) {
    const block = report.touched.get(entry.hash);
    if (block) connected.push(block);
  }
  return { connected: connected.reverse(), disconnected };
}
