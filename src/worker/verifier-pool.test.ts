import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/result.ts';
import type { VerifyItem } from '../core/types.ts';
import { createNobleEd25519Verifier, nobleKeypair, nobleSign } from '../crypto/ed25519.ts';
import { FakeVerifyWorker, countingVerifier } from '../../test/helpers/fake-verify-worker.ts';
import { VerifierClosedError, VerifyRequestError, WorkerCrashedError, createVerifierPool, type VerifierPoolInit } from './verifier-pool.ts';
import type { ItemVerifier, VerifyRequest } from './verify-protocol.ts';

const noble = createNobleEd25519Verifier();
const keys = [1, 2, 3].map((n) => nobleKeypair(new Uint8Array(32).fill(n)));

/** Item `i`: signed by key i % 3; every third one is corrupted, so the answers have a known pattern. */
function item(i: number): VerifyItem {
  const key = keys[i % 3]!;
  const message = new TextEncoder().encode(`tx ${i}`);
  const signature = nobleSign(key.secretKey, message);
  return i % 3 === 2 ? { publicKey: key.publicKey, message, signature: signature.map((b, j) => (j === 0 ? b ^ 1 : b)) } : { publicKey: key.publicKey, message, signature };
}
const expected = (i: number): boolean => i % 3 !== 2;
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
/** Misses leave in a task scheduled after the call (setImmediate in Node); this waits for it. */
const requestsLeft = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A pool over fake workers, exposing the workers and a shared call counter. */
function setup(init: Omit<VerifierPoolInit, 'createWorker'> & { verifier?: ItemVerifier } = {}) {
  const counter = countingVerifier(init.verifier ?? noble);
  const workers: FakeVerifyWorker[] = [];
  const warnings: string[] = [];
  const pool = createVerifierPool({
    size: 2,
    log: { info: () => undefined, warn: (message) => void warnings.push(message) },
    ...init,
    createWorker: () => {
      const worker = new FakeVerifyWorker(counter);
      workers.push(worker);
      return worker;
    },
  });
  return { pool, workers, counter, warnings };
}

describe('createVerifierPool', () => {
  it('keeps results in order across a batch split over workers', async () => {
    const { pool, workers } = setup({ size: 3 });
    const items = range(120).map(item);
    expect(await pool.verify(items)).toEqual(range(120).map(expected));
    expect(workers).toHaveLength(3);
    for (const worker of workers) expect((worker.received[0] as VerifyRequest).items).toHaveLength(40);
  });

  it('sends a small batch to one worker rather than split it into small requests', async () => {
    const { pool, workers } = setup({ size: 2 });
    expect(await pool.verify(range(40).map(item))).toEqual(range(40).map(expected));
    expect(workers.flatMap((worker) => worker.received as VerifyRequest[]).map((request) => request.items.length)).toEqual([40]);
    expect(await pool.verify(range(64).map((n) => item(100 + n)))).toEqual(range(64).map((n) => expected(100 + n)));
    expect(workers.flatMap((worker) => worker.received as VerifyRequest[]).map((request) => request.items.length).slice(1)).toEqual([32, 32]);
    expect(pool.stats()).toMatchObject({ requestsSent: 3, itemsVerified: 104 });
  });

  it('splits batches larger than maxRequestItems and still answers in order', async () => {
    const { pool, workers } = setup({ size: 2, maxRequestItems: 4 });
    expect(await pool.verify(range(21).map(item))).toEqual(range(21).map(expected));
    const requests = workers.flatMap((worker) => worker.received as VerifyRequest[]);
    expect(requests.map((request) => request.items.length)).toEqual([4, 4, 4, 4, 4, 1]);
    expect(pool.stats()).toMatchObject({ requestsSent: 6, itemsVerified: 21 });
  });

  it('sends the misses of calls made in one task as one request', async () => {
    const { pool, workers } = setup({ size: 1 });
    const calls = range(5).map((i) => pool.verify([item(i)]));
    expect(workers).toHaveLength(0);
    await requestsLeft();
    expect(workers[0]!.received.map((request) => (request as VerifyRequest).items.length)).toEqual([5]);
    expect(await Promise.all(calls)).toEqual(range(5).map((i) => [expected(i)]));
  });

  it('sends at the end of the calling task when idle; while every worker is busy, later misses leave with the first reply', async () => {
    const tasks: (() => void)[] = [];
    const { pool, workers } = setup({ size: 1, scheduleTask: (task) => void tasks.push(task) });
    const first = pool.verify([item(0)]);
    await Promise.resolve();
    // Idle: no scheduled task was needed.
    expect(tasks).toHaveLength(0);
    expect(workers[0]!.received).toHaveLength(1);
    workers[0]!.paused = true;
    await first;
    const held = pool.verify([item(1)]);
    await Promise.resolve();
    expect(workers[0]!.received).toHaveLength(2);
    // Busy (the second request is held at the worker): later misses wait, with no task scheduled ...
    const batched = [pool.verify([item(3)]), pool.verify([item(4)])];
    await Promise.resolve();
    expect(workers[0]!.received).toHaveLength(2);
    expect(tasks).toHaveLength(0);
    // ... and leave together when the worker answers.
    workers[0]!.release();
    expect(await Promise.all([held, ...batched])).toEqual([[expected(1)], [expected(3)], [expected(4)]]);
    expect(workers[0]!.received.map((request) => (request as VerifyRequest).items.length)).toEqual([1, 1, 2]);
  });

  it('while one worker is busy and another idle, later misses leave with one scheduled flush', async () => {
    const tasks: (() => void)[] = [];
    const { pool, workers } = setup({ size: 2, scheduleTask: (task) => void tasks.push(task) });
    // Both workers started (32 items each), then both hold what they receive.
    await pool.verify(range(64).map(item));
    for (const worker of workers) worker.paused = true;
    const held = pool.verify([item(100)]);
    await Promise.resolve();
    const batched = [pool.verify([item(101)]), pool.verify([item(102)])];
    await Promise.resolve();
    // One worker holds a request, the other is idle: one scheduled flush sends both misses to it.
    expect(tasks).toHaveLength(1);
    tasks.shift()!();
    for (const worker of workers) worker.release();
    expect(await Promise.all([held, ...batched])).toEqual([[expected(100)], [expected(101)], [expected(102)]]);
    const sizes = workers.map((worker) => (worker.received as VerifyRequest[]).map((request) => request.items.length));
    expect(sizes.flat().sort((a, b) => a - b)).toEqual([1, 2, 32, 32]);
    expect(sizes.every((perWorker) => perWorker.length === 2)).toBe(true);
  });

  it('streams a large call to the worker in chunks while it is still hashing', async () => {
    const { pool, workers } = setup({ size: 1 });
    const answer = pool.verify(range(600).map(item));
    // Two full chunks left during the call itself; the rest waits for the flush.
    expect(workers[0]!.received.map((request) => (request as VerifyRequest).items.length)).toEqual([256, 256]);
    expect(await answer).toEqual(range(600).map(expected));
    expect(workers[0]!.received.map((request) => (request as VerifyRequest).items.length)).toEqual([256, 256, 88]);
  });

  it('answers repeated items from the cache without verifying them again', async () => {
    const { pool, counter } = setup();
    const items = range(12).map(item);
    await pool.verify(items);
    expect(counter.calls).toBe(12);
    expect(await pool.verify([...items].reverse())).toEqual(range(12).map(expected).reverse());
    expect(counter.calls).toBe(12);
    expect(pool.stats()).toMatchObject({ cacheHits: 12, cacheEntries: 12 });
  });

  it('verifies a duplicate once, within a batch and across concurrent calls', async () => {
    const { pool, counter } = setup();
    const a = item(0);
    const copy = { publicKey: a.publicKey.slice(), message: a.message.slice(), signature: a.signature.slice() };
    const [first, second] = await Promise.all([pool.verify([a, copy, a]), pool.verify([copy, item(1)])]);
    expect(first).toEqual([true, true, true]);
    expect(second).toEqual([true, true]);
    expect(counter.calls).toBe(2);
    expect(pool.stats().inflightHits).toBe(3);
  });

  it('bounds the cache, evicting the least recently used answer', async () => {
    const { pool, counter } = setup({ maxCacheEntries: 5 });
    await pool.verify(range(10).map(item));
    expect(pool.stats().cacheEntries).toBe(5);
    await pool.verify([item(9)]); // recent: cached
    expect(counter.calls).toBe(10);
    await pool.verify([item(0)]); // evicted: verified again
    expect(counter.calls).toBe(11);
  });

  it('keys the cache on every field, so a changed byte is verified afresh', async () => {
    const { pool, counter } = setup();
    const a = item(0);
    await pool.verify([a]);
    expect(await pool.verify([{ ...a, message: new TextEncoder().encode('tx 0!') }])).toEqual([false]);
    expect(counter.calls).toBe(2);
  });

  it('rejects pending calls with WorkerCrashedError when a worker dies, then keeps working', async () => {
    const { pool, workers, counter, warnings } = setup({ size: 1 });
    await pool.verify([item(0)]);
    workers[0]!.paused = true;
    const pending = pool.verify([item(1), item(2)]);
    await requestsLeft();
    workers[0]!.crash('Uncaught Error: out of memory');
    const error = await pending.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).name).toBe('WorkerCrashedError');
    expect((error as Error).message).toMatch(/verify worker 0 crashed: Uncaught Error: out of memory/);
    expect(workers[0]!.terminated).toBe(true);
    expect(warnings).toEqual(['verify worker crashed; it will be replaced']);

    // A replacement worker answers, and the failed items were not cached as answers.
    expect(await pool.verify([item(1), item(2), item(0)])).toEqual([true, false, true]);
    expect(workers).toHaveLength(2);
    expect(counter.calls).toBe(3);
    expect(pool.stats()).toMatchObject({ crashes: 1, workersStarted: 2, pendingRequests: 0 });
  });

  it('ignores events from a worker it has already replaced', async () => {
    const { pool, workers } = setup({ size: 1 });
    await pool.verify([item(0)]);
    workers[0]!.crash();
    await pool.verify([item(3)]);
    workers[1]!.paused = true;
    const pending = pool.verify([item(6)]);
    await requestsLeft();
    const { id } = workers[1]!.received.at(-1) as VerifyRequest;
    // The dead worker "answers" the new worker's request wrongly, then errors again.
    workers[0]!.reply({ id, ok: true, results: [false], backend: 'noble' });
    workers[0]!.crash();
    workers[1]!.release();
    expect(await pending).toEqual([true]);
    expect(pool.stats().crashes).toBe(1);
  });

  it('treats a malformed reply as a crash of that worker', async () => {
    const { pool, workers } = setup({ size: 1 });
    await pool.verify([item(0)]);
    workers[0]!.paused = true;
    const pending = pool.verify([item(1)]);
    await requestsLeft();
    workers[0]!.reply({ id: 'nonsense' });
    await expect(pending).rejects.toThrow(/sent a malformed reply/);
    expect(pool.stats().crashes).toBe(1);
  });

  it('rejects with VerifyRequestError when the worker replies with an error', async () => {
    const broken: ItemVerifier = { backend: 'noble', verify: () => Promise.reject(new Error('wasm trap')) };
    const { pool } = setup({ verifier: broken });
    await expect(pool.verify([item(0)])).rejects.toThrow(VerifyRequestError);
    await expect(pool.verify([item(0)])).rejects.toThrow(/verify-failed: Error: wasm trap/);
    expect(pool.stats().cacheEntries).toBe(0);
  });

  it('does not detach or alter the caller\'s buffers', async () => {
    const { pool } = setup();
    const items = range(4).map(item);
    const before = items.map((it) => [...it.signature]);
    await pool.verify(items);
    expect(items.map((it) => [...it.signature])).toEqual(before);
  });

  it('reports the workers\' backend', async () => {
    const { pool } = setup();
    expect(await pool.backend()).toBe('noble');
  });

  it('answers an empty batch without starting a worker', async () => {
    const { pool, workers } = setup();
    expect(await pool.verify([])).toEqual([]);
    expect(workers).toHaveLength(0);
  });

  it('rejects malformed items at the edge, naming the field', async () => {
    const { pool } = setup();
    const bogus = { ...item(0), signature: 'deadbeef' } as unknown as VerifyItem;
    await expect(pool.verify([item(1), bogus])).rejects.toThrow(new InvalidArgumentError('items[1].signature must be a Uint8Array'));
  });

  it('close() terminates workers and rejects pending and later calls', async () => {
    const { pool, workers } = setup({ size: 1 });
    await pool.verify([item(0)]);
    workers[0]!.paused = true;
    const pending = pool.verify([item(1)]);
    pool.close();
    await expect(pending).rejects.toThrow(VerifierClosedError);
    await expect(pool.verify([item(2)])).rejects.toThrow(VerifierClosedError);
    expect(workers[0]!.terminated).toBe(true);
  });

  it('sizes itself from hardwareConcurrency: one worker per core, between 1 and 4', () => {
    const sizes = [1, 2, 3, 8, 64].map((hardwareConcurrency) => setup({ size: undefined, hardwareConcurrency }).pool.stats().workers);
    expect(sizes).toEqual([1, 2, 3, 4, 4]);
    expect(() => createVerifierPool({ size: 0 })).toThrow(InvalidArgumentError);
  });
});
