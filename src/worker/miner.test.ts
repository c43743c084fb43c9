import { describe, expect, it } from 'vitest';
import { toHex } from '../core/bytes.ts';
import { blockHash, decodeHeader, encodeHeader } from '../core/ledger/block.ts';
import { checkProofOfWork } from '../core/ledger/consensus.ts';
import { TEST_PARAMS } from '../core/ledger/params.ts';
import { targetToHex } from '../core/ledger/pow.ts';
import type { BlockHeader } from '../core/ledger/types.ts';
import { InvalidArgumentError } from '../core/result.ts';
import { FakeMineWorker } from '../../test/helpers/mine-fake-worker.ts';
import type { MineJob } from './mine-protocol.ts';
import { MinerCrashedError, MiningCancelledError, MiningFailedError, createMiner, type MinerInit, type WorkerLike } from './miner.ts';

const header: BlockHeader = {
  version: 1,
  prevHash: '77'.repeat(32),
  height: 12,
  timeMs: 1_735_689_800_000,
  target: targetToHex(TEST_PARAMS.genesisTarget),
  merkleRoot: '88'.repeat(32),
  nonce: 0,
  miner: '99'.repeat(32),
};
const headerBytes = encodeHeader(header);
const NEVER = 0n;

/** A worker that does nothing by itself: the test scripts its replies. */
class StubWorker implements WorkerLike {
  private readonly events = new EventTarget();
  readonly received: unknown[] = [];
  terminated = false;
  postMessage(message: unknown, transfer: Transferable[]): void {
    this.received.push(structuredClone(message, { transfer }));
  }
  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: Event) => void): void {
    this.events.addEventListener(type, listener);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(data: unknown): void {
    this.events.dispatchEvent(new MessageEvent('message', { data }));
  }
  crash(message = 'Uncaught Error: boom'): void {
    this.events.dispatchEvent(Object.assign(new Event('error'), { message }));
  }
  lastJob(): MineJob {
    return this.received.filter((m) => (m as MineJob).type === 'mine').at(-1) as MineJob;
  }
}

function withFakes(init: Omit<MinerInit, 'createWorker'> = {}) {
  const workers: FakeMineWorker[] = [];
  const miner = createMiner({
    ...init,
    log: { info: () => undefined, warn: () => undefined },
    createWorker: () => {
      const worker = new FakeMineWorker({ sliceHashes: 200, progressIntervalMs: 0 });
      workers.push(worker);
      return worker;
    },
  });
  return { miner, workers };
}

function withStubs() {
  const clock = { ms: 0 };
  const workers: StubWorker[] = [];
  const warnings: string[] = [];
  const miner = createMiner({
    now: () => clock.ms,
    rateWindowMs: 5_000,
    log: { info: () => undefined, warn: (message) => void warnings.push(message) },
    createWorker: () => {
      const worker = new StubWorker();
      workers.push(worker);
      return worker;
    },
  });
  return { miner, workers, clock, warnings };
}

const settle = <T>(promise: Promise<T>) => promise.then(() => undefined, (error: unknown) => error);

describe('createMiner', () => {
  it('mines a header the ledger accepts, in a worker', async () => {
    const { miner, workers } = withFakes();
    const found = await miner.mine(headerBytes, header.target, 0);
    const mined = { ...header, nonce: found.nonce };
    expect(found.hash).toBe(blockHash(mined));
    expect(checkProofOfWork(mined, TEST_PARAMS)).toEqual({ ok: true, value: undefined });
    expect(found.hashes).toBe(found.nonce + 1);
    expect(workers).toHaveLength(1);
    expect(miner.stats()).toMatchObject({ mining: false, jobsStarted: 1, blocksFound: 1, totalHashes: found.hashes, workersStarted: 1 });
    // The caller's header is neither detached nor modified.
    expect(decodeHeader(headerBytes)).toEqual({ ok: true, value: header });
  });

  it('cancels the previous job when a new one starts', async () => {
    const { miner, workers } = withFakes();
    const first = miner.mine(headerBytes, NEVER);
    const second = miner.mine(headerBytes, TEST_PARAMS.genesisTarget, 1_000);
    const error = await settle(first);
    expect(error).toBeInstanceOf(MiningCancelledError);
    expect((error as Error).name).toBe('MiningCancelledError');
    expect((await second).nonce).toBeGreaterThanOrEqual(1_000);
    expect(workers).toHaveLength(1);
    expect(miner.stats()).toMatchObject({ jobsStarted: 2, jobsCancelled: 1, blocksFound: 1 });
  });

  it('stop() rejects the job and halts the worker\'s loop', async () => {
    const { miner, workers } = withFakes();
    const job = miner.mine(headerBytes, NEVER);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(workers[0]!.currentJobId).toBe(0);
    miner.stop();
    await expect(job).rejects.toThrow(MiningCancelledError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(workers[0]!.currentJobId).toBeUndefined();
    expect(miner.hashRate()).toBe(0);
    expect(miner.stats().totalHashes).toBeGreaterThan(0);
  });

  it('measures the hash rate over the recent window', () => {
    const { miner, workers, clock } = withStubs();
    expect(miner.hashRate()).toBe(0);
    void miner.mine(headerBytes, NEVER).catch(() => undefined);
    const worker = workers[0]!;
    clock.ms = 1_000;
    worker.reply({ type: 'progress', jobId: 0, hashes: 500_000 });
    expect(miner.hashRate()).toBe(500_000);
    clock.ms = 2_000;
    worker.reply({ type: 'progress', jobId: 0, hashes: 700_000 });
    expect(miner.hashRate()).toBe(600_000);
    // Only reports inside the 5 s window count: the 1.2M at 7 s, over 5 s.
    clock.ms = 7_000;
    worker.reply({ type: 'progress', jobId: 0, hashes: 1_200_000 });
    expect(miner.hashRate()).toBe(240_000);
    // A late report from a replaced job is still work done.
    void miner.mine(headerBytes, NEVER).catch(() => undefined);
    worker.reply({ type: 'progress', jobId: 0, hashes: 300_000 });
    expect(miner.hashRate()).toBe(300_000);
    expect(miner.stats().totalHashes).toBe(2_700_000);
    miner.stop();
    expect(miner.hashRate()).toBe(0);
  });

  it('rejects with MinerCrashedError when the worker dies, and starts a new one next time', async () => {
    const { miner, workers, warnings } = withStubs();
    const job = miner.mine(headerBytes, NEVER);
    workers[0]!.crash('Uncaught Error: out of memory');
    await expect(job).rejects.toThrow(new MinerCrashedError('mine worker crashed: Uncaught Error: out of memory'));
    expect(workers[0]!.terminated).toBe(true);
    expect(warnings).toHaveLength(1);
    void miner.mine(headerBytes, NEVER).catch(() => undefined);
    expect(workers).toHaveLength(2);
    // Events from the dead worker are ignored.
    workers[0]!.crash();
    expect(miner.stats()).toMatchObject({ crashes: 1, workersStarted: 2, mining: true });
    miner.close();
  });

  it('treats a malformed reply or a false nonce as a crash', async () => {
    const { miner, workers } = withStubs();
    const first = miner.mine(headerBytes, NEVER);
    workers[0]!.reply({ type: 'found', jobId: 0 });
    await expect(first).rejects.toThrow(/sent a malformed reply/);
    const second = miner.mine(headerBytes, TEST_PARAMS.genesisTarget);
    workers[1]!.reply({ type: 'found', jobId: workers[1]!.lastJob().jobId, nonce: 0, hash: toHex(new Uint8Array(32)), hashes: 1 });
    await expect(second).rejects.toThrow(/claimed nonce 0 does not give a hash under the target/);
  });

  it('rejects with MiningFailedError on an error reply, and ignores replies for other jobs', async () => {
    const { miner, workers } = withStubs();
    const job = miner.mine(headerBytes, NEVER, 7);
    const worker = workers[0]!;
    expect(worker.lastJob()).toMatchObject({ type: 'mine', jobId: 0, startNonce: 7, target: '00'.repeat(32) });
    worker.reply({ type: 'error', jobId: 99, reason: 'search-failed', detail: 'not yours' });
    worker.reply({ type: 'error', jobId: 0, reason: 'nonce-space-exhausted', detail: 'no nonce left' });
    await expect(job).rejects.toThrow(new MiningFailedError('mine worker nonce-space-exhausted: no nonce left'));
    expect(miner.stats()).toMatchObject({ jobsFailed: 1, mining: false });
  });

  it('refuses bad arguments, naming them', async () => {
    const { miner, workers } = withStubs();
    await expect(miner.mine(headerBytes.subarray(1), NEVER)).rejects.toThrow(new InvalidArgumentError('headerBytes must be a 149-byte Uint8Array'));
    await expect(miner.mine(headerBytes, 'ff')).rejects.toThrow(/target must be 64 lower-case hex/);
    await expect(miner.mine(headerBytes, NEVER, -1)).rejects.toThrow(/startNonce/);
    expect(workers).toHaveLength(0);
  });

  it('close() terminates the worker and rejects pending and later jobs', async () => {
    const { miner, workers } = withStubs();
    const job = miner.mine(headerBytes, NEVER);
    miner.close();
    await expect(job).rejects.toThrow(MiningCancelledError);
    await expect(miner.mine(headerBytes, NEVER)).rejects.toThrow(/miner is closed/);
    expect(workers[0]!.terminated).toBe(true);
  });
});
