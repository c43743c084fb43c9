import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockHash, encodeHeader } from '../core/ledger/block.ts';
import { targetToHex } from '../core/ledger/pow.ts';
import type { BlockHeader } from '../core/ledger/types.ts';
import type { MineReply } from './mine-protocol.ts';
import { createMineRunner, type MineRunnerInit } from './mine-runner.ts';

const header: BlockHeader = {
  version: 1,
  prevHash: '44'.repeat(32),
  height: 3,
  timeMs: 1_735_689_700_000,
  target: 'ff'.repeat(32),
  merkleRoot: '55'.repeat(32),
  nonce: 0,
  miner: '66'.repeat(32),
};
const headerBytes = encodeHeader(header);
const EASY = targetToHex((1n << 250n) - 1n); // one hash in 64
const NEVER = targetToHex(0n);

const nextTask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(init: Partial<MineRunnerInit> = {}) {
  const replies: MineReply[] = [];
  let clockMs = 0;
  const runner = createMineRunner({ post: (reply) => void replies.push(reply), yieldToEvents: nextTask, now: () => clockMs, sliceHashes: 50, ...init });
  const tick = (ms: number) => void (clockMs += ms);
  return { runner, replies, tick };
}

const job = (jobId: number, target: string, startNonce = 0) => ({ type: 'mine', jobId, headerBytes, target, startNonce });
const hashesOf = (replies: MineReply[], jobId: number) => replies.reduce((sum, r) => sum + (r.type !== 'error' && r.jobId === jobId ? r.hashes : 0), 0);

describe('createMineRunner', () => {
  it('searches in slices and reports the block hash found, with every hash counted', async () => {
    const { runner, replies } = setup({ sliceHashes: 5, progressIntervalMs: 0 });
    runner.handle(job(1, EASY));
    for (let i = 0; i < 200 && runner.currentJobId !== undefined; i++) await nextTask();
    const found = replies.at(-1);
    if (found?.type !== 'found') throw new Error(`expected found, got ${JSON.stringify(found)}`);
    expect(found.hash).toBe(blockHash({ ...header, nonce: found.nonce }));
    expect(hashesOf(replies, 1)).toBe(found.nonce + 1);
    // Every slice before the last yielded one progress reply of 5 hashes.
    expect(replies.slice(0, -1).every((r) => r.type === 'progress' && r.hashes === 5)).toBe(true);
  });

  it('paces progress replies by time', async () => {
    const { runner, replies, tick } = setup({ progressIntervalMs: 250 });
    runner.handle(job(1, NEVER));
    for (let i = 0; i < 10; i++) await nextTask();
    expect(replies).toEqual([]);
    tick(250);
    for (let i = 0; i < 3; i++) await nextTask();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ type: 'progress', jobId: 1 });
    runner.handle({ type: 'stop' });
  });

  it('stops between slices, reporting the hashes not yet reported', async () => {
    const { runner, replies } = setup();
    runner.handle(job(4, NEVER, 100));
    await nextTask();
    await nextTask();
    runner.handle({ type: 'stop' });
    expect(runner.currentJobId).toBeUndefined();
    for (let i = 0; i < 5; i++) await nextTask();
    expect(replies).toEqual([{ type: 'progress', jobId: 4, hashes: 150 }]); // three slices of 50
    for (let i = 0; i < 5; i++) await nextTask();
    expect(replies).toHaveLength(1);
  });

  it('lets a new job replace the current one', async () => {
    const { runner, replies } = setup();
    runner.handle(job(1, NEVER));
    await nextTask();
    runner.handle(job(2, EASY));
    for (let i = 0; i < 200 && runner.currentJobId !== undefined; i++) await nextTask();
    await nextTask(); // the replaced loop wakes, sees it is no longer current, and reports its last hashes
    expect(replies.filter((r) => r.type === 'found').map((r) => r.jobId)).toEqual([2]);
    // Slices ran synchronously in handle() and once after the await: two slices of 50, reported once.
    expect(replies.filter((r) => r.jobId === 1)).toEqual([{ type: 'progress', jobId: 1, hashes: 100 }]);
  });

  it('reports an exhausted nonce space', async () => {
    const { runner, replies } = setup();
    runner.handle(job(9, NEVER, Number.MAX_SAFE_INTEGER - 20));
    for (let i = 0; i < 5; i++) await nextTask();
    expect(replies).toEqual([{ type: 'error', jobId: 9, reason: 'nonce-space-exhausted', detail: expect.stringMatching(/2\^53-1/) }]);
    expect(runner.currentJobId).toBeUndefined();
  });

  it('answers malformed messages with an error and never throws (property)', () => {
    fc.assert(
      fc.property(fc.anything({ withTypedArray: true, withBigInt: true }), (junk) => {
        const { runner, replies } = setup();
        if (typeof junk === 'object' && junk !== null && (junk as { type?: unknown }).type === 'stop') return;
        expect(() => runner.handle(junk)).not.toThrow();
        expect(replies).toEqual([expect.objectContaining({ type: 'error', reason: 'malformed-request' })]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps going when posting a reply fails', async () => {
    let fail = true;
    const replies: MineReply[] = [];
    const runner = createMineRunner({
      post: (reply) => {
        if (fail) throw new DOMException('could not clone', 'DataCloneError');
        replies.push(reply);
      },
      yieldToEvents: nextTask,
      now: () => 0,
      sliceHashes: 5,
      progressIntervalMs: 0,
    });
    const originalError = console.error;
    console.error = () => undefined;
    try {
      runner.handle(job(1, NEVER));
      await nextTask();
      fail = false;
      await nextTask();
      await nextTask();
      expect(runner.currentJobId).toBe(1);
      expect(replies.length).toBeGreaterThan(0);
    } finally {
      console.error = originalError;
      runner.handle({ type: 'stop' });
    }
  });
});
