/**
 * The main-thread side of mining: one dedicated worker (mine-worker.ts), one
 * job at a time. The page never hashes, except once to check a found nonce.
 * Mining is off until mine() is called; the ledger builds each header and
 * calls mine() again for the next block or when its tip changes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../core/bytes.ts';
import { BLOCK_HEADER_BYTES, HEADER_NONCE_OFFSET } from '../core/ledger/block.ts';
import { hashMeetsTarget, targetBytes } from '../core/ledger/pow.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { BlockHash, Logger } from '../core/types.ts';
import { parseMineReply, type MineReply, type MineRequest } from './mine-protocol.ts';
import type { WorkerLike } from './verifier-pool-api.ts';

export type { WorkerLike } from './verifier-pool-api.ts';

/** A newer job, stop() or close() replaced this one. Expected in normal operation: not a failure. */
export class MiningCancelledError extends Error {
  override readonly name = 'MiningCancelledError';
}
/** The worker died (error event, unreadable or malformed message); the next mine() starts a new one. */
export class MinerCrashedError extends Error {
  override readonly name = 'MinerCrashedError';
}
/** The worker could not finish the job (an error reply, or a claimed nonce that does not check out). */
export class MiningFailedError extends Error {
  override readonly name = 'MiningFailedError';
}

export interface MinedNonce {
  nonce: number;
  /** The block hash with this nonce, checked on this thread against the target. */
  hash: BlockHash;
  /** Hashes the worker tried for this job. */
  hashes: number;
}

export interface MinerInit {
  /** Makes the worker; the default starts mine-worker.ts as a module worker. */
  createWorker?: () => WorkerLike;
  /** Milliseconds for the hash-rate window; default performance.now. */
  now?: () => number;
  /** hashRate() averages over this much recent time; default 5 s. */
  rateWindowMs?: number;
  log?: Logger;
}

export interface MinerStats {
  mining: boolean;
  jobsStarted: number;
  blocksFound: number;
  jobsCancelled: number;
  jobsFailed: number;
  totalHashes: number;
  hashRate: number;
  workersStarted: number;
  crashes: number;
}

export interface Miner {
  /**
   * Searches nonces for a 149-byte header until one meets `target`. Cancels
   * any previous job, whose promise rejects with MiningCancelledError.
   */
  mine(headerBytes: Uint8Array, target: bigint | string, startNonce?: number): Promise<MinedNonce>;
  /** Cancels the current job (if any) and clears the hash rate. */
  stop(): void;
  /** Hashes per second over the last rateWindowMs while mining; 0 when stopped. */
  hashRate(): number;
  stats(): MinerStats;
  /** Terminates the worker; pending and later calls reject with MiningCancelledError. */
  close(): void;
}

const DEFAULT_RATE_WINDOW_MS = 5_000;

function defaultWorker(): WorkerLike {
  return new Worker(new URL('./mine-worker.ts', import.meta.url), { type: 'module', name: 'tabmesh-mine' });
}

interface Job {
  id: number;
  header: Uint8Array;
  target: Uint8Array;
  hashes: number;
  resolve(found: MinedNonce): void;
  reject(error: Error): void;
}

export function createMiner(init: MinerInit = {}): Miner {
  const createWorker = init.createWorker ?? defaultWorker;
  const now = init.now ?? (() => performance.now());
  const rateWindowMs = init.rateWindowMs ?? DEFAULT_RATE_WINDOW_MS;
  const log: Logger = init.log ?? { info: (m, f) => console.info(m, f ?? ''), warn: (m, f) => console.warn(m, f ?? '') };
  const counts = { jobsStarted: 0, blocksFound: 0, jobsCancelled: 0, jobsFailed: 0, totalHashes: 0, workersStarted: 0, crashes: 0 };
  /** Recent progress, oldest first, for hashRate(). */
  let samples: { atMs: number; hashes: number }[] = [];
  let sessionStartMs: number | undefined;
  let worker: WorkerLike | undefined;
  let job: Job | undefined;
  let nextJobId = 0;
  let closed = false;

  function finish(error: Error): void {
    const ending = job;
    job = undefined;
    if (!ending) return;
    if (error instanceof MiningCancelledError) counts.jobsCancelled++;
    else counts.jobsFailed++;
    ending.reject(error);
  }

  function crash(from: WorkerLike, why: string): void {
    if (worker !== from) return; // an event from a worker already replaced
    counts.crashes++;
    log.warn('mine worker crashed; the next job starts a new one', { why });
    worker = undefined;
    from.terminate();
    finish(new MinerCrashedError(`mine worker crashed: ${why}`));
    sessionStartMs = undefined;
  }

  function record(hashes: number): void {
    counts.totalHashes += hashes;
    samples.push({ atMs: now(), hashes });
  }

  /** Checks a claimed nonce on this thread: one hash, so a broken worker cannot hand the ledger a bad block. */
  function check(current: Job, nonce: number, hash: string): MinedNonce | undefined {
    const header = current.header.slice();
    const view = new DataView(header.buffer);
    view.setUint32(HEADER_NONCE_OFFSET, Math.floor(nonce / 0x1_0000_0000));
    view.setUint32(HEADER_NONCE_OFFSET + 4, nonce >>> 0);
    const actual = sha256(header);
    if (toHex(actual) !== hash || !hashMeetsTarget(actual, current.target)) return undefined;
    return { nonce, hash, hashes: current.hashes };
  }

  function onReply(from: WorkerLike, reply: MineReply): void {
    // Progress from a cancelled job is still work done: count it for the rate.
    if (reply.type !== 'error') record(reply.hashes);
    const current = job;
    if (!current || reply.jobId !== current.id) return;
    if (reply.type === 'progress') {
      current.hashes += reply.hashes;
    } else if (reply.type === 'found') {
      current.hashes += reply.hashes;
      const found = check(current, reply.nonce, reply.hash);
      if (!found) return crash(from, `claimed nonce ${reply.nonce} does not give a hash under the target`);
      job = undefined;
      counts.blocksFound++;
      current.resolve(found);
    } else {
      finish(new MiningFailedError(`mine worker ${reply.reason}: ${reply.detail}`));
    }
  }

  function workerNow(): WorkerLike {
    if (worker) return worker;
    const started = createWorker();
    counts.workersStarted++;
    worker = started;
    started.addEventListener('message', (event) => {
      const reply = parseMineReply((event as MessageEvent<unknown>).data);
      if (!reply) crash(started, 'sent a malformed reply');
      else if (worker === started) onReply(started, reply);
    });
    started.addEventListener('messageerror', () => crash(started, 'a reply could not be deserialized'));
    started.addEventListener('error', (event) => {
      const message = (event as ErrorEvent).message;
      crash(started, typeof message === 'string' && message !== '' ? message : 'error event');
    });
    return started;
  }

  function post(target: WorkerLike, request: MineRequest, transfer: Transferable[] = []): void {
    try {
      target.postMessage(request, transfer);
    } catch (error) {
      crash(target, `postMessage failed: ${String(error)}`);
    }
  }

  function windowed(): { hashes: number; spanMs: number } {
    const at = now();
    const from = Math.max(at - rateWindowMs, sessionStartMs ?? at);
    samples = samples.filter((sample) => sample.atMs > at - rateWindowMs);
    return { hashes: samples.reduce((sum, sample) => sum + (sample.atMs > from ? sample.hashes : 0), 0), spanMs: at - from };
  }

  function hashRate(): number {
    if (sessionStartMs === undefined) return 0;
    const { hashes, spanMs } = windowed();
    return spanMs > 0 ? (hashes * 1000) / spanMs : 0;
  }

  /** Titled checks at the API edge; returns the target's bytes. */
  function checkArgs(headerBytes: Uint8Array, target: bigint | string, startNonce: number): Uint8Array {
    if (!(headerBytes instanceof Uint8Array) || headerBytes.length !== BLOCK_HEADER_BYTES) {
      throw new InvalidArgumentError(`headerBytes must be a ${BLOCK_HEADER_BYTES}-byte Uint8Array`);
    }
    if (!Number.isSafeInteger(startNonce) || startNonce < 0) throw new InvalidArgumentError(`startNonce must be an integer in [0, 2^53-1], got ${String(startNonce)}`);
    if (typeof target !== 'bigint' && typeof target !== 'string') throw new InvalidArgumentError('target must be a bigint or 64 lower-case hex characters');
    return targetBytes(target);
  }

  return {
    mine(headerBytes, target, startNonce = 0) {
      if (closed) return Promise.reject(new MiningCancelledError('miner is closed'));
      let limit: Uint8Array;
      try {
        limit = checkArgs(headerBytes, target, startNonce);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new InvalidArgumentError(String(error)));
      }
      finish(new MiningCancelledError('replaced by a newer mining job'));
      const id = nextJobId++;
      const header = headerBytes.slice();
      const promise = new Promise<MinedNonce>((resolve, reject) => {
        job = { id, header, target: limit, hashes: 0, resolve, reject };
      });
      counts.jobsStarted++;
      sessionStartMs ??= now();
      // A copy goes to the worker, transferred, so the caller's buffer stays usable.
      const sent = header.slice();
      post(workerNow(), { type: 'mine', jobId: id, headerBytes: sent, target: toHex(limit), startNonce }, [sent.buffer]);
      return promise;
    },

    stop() {
      if (worker) post(worker, { type: 'stop' });
      finish(new MiningCancelledError('mining stopped'));
      samples = [];
      sessionStartMs = undefined;
    },

    hashRate,

    stats() {
      return { ...counts, mining: job !== undefined, hashRate: hashRate() };
    },

    close() {
      if (closed) return;
      closed = true;
      worker?.terminate();
      worker = undefined;
      finish(new MiningCancelledError('miner is closed'));
      samples = [];
      sessionStartMs = undefined;
    },
  };
}
