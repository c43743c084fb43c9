import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { adaptThread } from './thread-worker.ts';

describe('adaptThread', () => {
  it('reports an exit it did not ask for as an error event', async () => {
    const worker = adaptThread(new Worker('process.exit(3)', { eval: true }), { name: 'test thread' });
    const message = await new Promise<string>((resolve) => worker.addEventListener('error', (event) => resolve((event as ErrorEvent).message)));
    expect(message).toBe('test thread exited with code 3');
    await worker.exited;
  });

  it('reports an exception in the thread as an error event with its message', async () => {
    const worker = adaptThread(new Worker("throw new Error('boom at load')", { eval: true }));
    const messages: string[] = [];
    worker.addEventListener('error', (event) => messages.push((event as ErrorEvent).message));
    await worker.exited;
    // One error, not a second one for the exit that follows it.
    expect(messages).toEqual(['boom at load']);
  });

  it('delivers replies as {data} events', async () => {
    const worker = adaptThread(new Worker("require('node:worker_threads').parentPort.on('message', (m) => require('node:worker_threads').parentPort.postMessage(m * 2))", { eval: true }));
    const reply = new Promise<unknown>((resolve) => worker.addEventListener('message', (event) => resolve((event as MessageEvent).data)));
    worker.postMessage(21, []);
    expect(await reply).toBe(42);
    worker.terminate();
    await worker.exited;
  });
});
