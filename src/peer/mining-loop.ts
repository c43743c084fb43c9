/**
 * Drives the mining worker: builds a block template on the current tip from
 * the mempool, waits for the worker to find a nonce, and submits the block
 * through the node (which connects and announces it). A new tip cancels the
 * current job and starts again on it. Mining is off until switched on;
 * mine(n) mines exactly n blocks whether or not it is on.
 */
import { encodeHeader } from '../core/ledger/block.ts';
import type { Ledger } from '../core/ledger/ledger.ts';
import type { Mempool } from '../core/ledger/mempool.ts';
import { selectBlockTxs } from '../core/ledger/block-template.ts';
import type { TabmeshNode } from '../core/node.ts';
import type { Clock, Logger, PeerId } from '../core/types.ts';
import { MiningCancelledError, type Miner } from '../worker/miner.ts';

export interface MiningLoopComponents {
  ledger: Ledger;
  mempool: Mempool;
  node: TabmeshNode;
  miner: Miner;
  clock: Clock;
  log: Logger;
}

export class MiningError extends Error {
  override readonly name = 'MiningError';
}

export type MiningLoop = ReturnType<typeof createMiningLoop>;

export function createMiningLoop(components: MiningLoopComponents, minerId: PeerId) {
  const { ledger, mempool, node, miner, clock, log } = components;
  let continuous = false;
  let blocksFound = 0;
  let jobActive = false;
  /** Where the last block's time went: choosing transactions, the nonce search (worker), and the ledger's commit and announcement. */
  let lastBlock = { templateMs: 0, searchMs: 0, submitMs: 0 };
  /** Mining jobs run one at a time; mine(n) and the continuous loop take turns. */
  let running: Promise<unknown> = Promise.resolve();

  /** Mines one block on the current tip; resolves its hash, or undefined when cancelled by a new tip. */
  async function mineOne(): Promise<string | undefined> {
    const startMs = clock.nowMs();
    const { txs } = selectBlockTxs(mempool, ledger.account, ledger.params);
    const template = ledger.buildHeaderTemplate(minerId, txs, Math.floor(clock.nowMs()));
    const templateMs = clock.nowMs();
    let found;
    jobActive = true;
    try {
      found = await miner.mine(encodeHeader(template), template.target);
    } catch (error) {
      if (error instanceof MiningCancelledError) return undefined;
      throw error;
    } finally {
      jobActive = false;
    }
    const block = { header: { ...template, nonce: found.nonce }, txs };
    const searchedMs = clock.nowMs();
    const result = await node.submitLocalBlock(block);
    if (!result.ok) throw new MiningError(`the ledger refused our own block: ${result.reason} (${result.detail})`);
    blocksFound++;
    lastBlock = { templateMs: templateMs - startMs, searchMs: searchedMs - templateMs, submitMs: clock.nowMs() - searchedMs };
    log.info('mined a block', { height: template.height, hash: found.hash, txs: txs.length });
    return found.hash;
  }

  async function loop(): Promise<void> {
    while (continuous) {
      try {
        await mineOne();
      } catch (error) {
        log.warn('mining stopped after an error', { error: String(error) });
        continuous = false;
      }
    }
  }

  // A new tip (ours or a peer's) makes the current job stale: cancel it so the loop starts on the new tip.
  ledger.events.on('tip', () => {
    if (jobActive) miner.stop();
  });

  return {
    setMining(on: boolean): void {
      if (on === continuous) return;
      continuous = on;
      if (on) running = running.then(loop);
      else miner.stop();
      log.info(on ? 'mining switched on' : 'mining switched off');
    },

    isMining: () => continuous,

    /** Mines `count` blocks on successive tips and resolves their hashes. */
    mine(count: number): Promise<string[]> {
      if (!Number.isSafeInteger(count) || count < 1 || count > 1_000) return Promise.reject(new MiningError('blocks must be an integer from 1 to 1000'));
      const wasOn = continuous;
      continuous = false;
      miner.stop();
      const job = running.then(async () => {
        const hashes: string[] = [];
        while (hashes.length < count) {
          const hash = await mineOne();
          if (hash) hashes.push(hash);
        }
        return hashes;
      });
      running = job.catch(() => undefined).then(() => {
        if (wasOn) {
          continuous = true;
          return loop();
        }
      });
      return job;
    },

    stats: () => ({ on: continuous, hashRate: miner.hashRate(), blocksFound }),

    /** The last block this tab mined, by stage (ms): for stats() as `minedBlock…` (the bench prints them). */
    lastBlockStages: () => ({ ...lastBlock }),
  };
}
