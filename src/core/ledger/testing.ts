/**
 * Helpers for tests and the simulator: a settable clock, a recording logger,
 * and mining for easy targets (TEST params need about 16 hashes a block).
 * Not used by production code.
 */
import { txId, type Tx } from '../tx.ts';
import type { BlockHash, Clock, Logger, PeerId } from '../types.ts';
import { merkleRoot, searchNonce } from './block.ts';
import type { Block, BlockHeader } from './types.ts';

export interface FakeClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

/** A clock that moves only when told. Starts one day after the default genesis time. */
export function fakeClock(startMs = 1_735_689_600_000 + 86_400_000): FakeClock {
  let now = startMs;
  return {
    nowMs: () => now,
    set(ms) {
      now = ms;
    },
    advance(ms) {
      now += ms;
    },
  };
}

export interface RecordingLogger extends Logger {
  lines: { level: 'info' | 'warn'; message: string; fields?: Record<string, unknown> }[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  return {
    lines,
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
  };
}

/** `header` with the first nonce (from `startNonce`) that meets its target. Throws after `maxTries`. */
export function mineHeader(header: BlockHeader, startNonce = 0, maxTries = 10_000_000): BlockHeader {
  const nonce = searchNonce(header, startNonce, maxTries);
  if (nonce === undefined) throw new RangeError(`no nonce in [${startNonce}, ${startNonce + maxTries}) meets target ${header.target}`);
  return { ...header, nonce };
}

/**
 * A mined child of `parent` carrying `txs`, with the parent's target (right for
 * TEST params and between retargets) unless `target` is given.
 */
export function mineChild(parent: { hash: BlockHash; header: BlockHeader }, miner: PeerId, txs: Tx[], timeMs: number, target = parent.header.target): Block {
  const header: BlockHeader = {
    version: 1,
    prevHash: parent.hash,
    height: parent.header.height + 1,
    timeMs,
    target,
    merkleRoot: merkleRoot(txs.map(txId)),
    nonce: 0,
    miner,
  };
  return { header: mineHeader(header), txs };
}
