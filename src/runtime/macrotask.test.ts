import { describe, expect, it, vi } from 'vitest';
import { createTaskScheduler } from './macrotask.ts';

/** A MessageChannel whose messages are delivered when the test says, counting the posts. */
function fakeChannelEnv() {
  const posted: unknown[] = [];
  let onmessage: (() => void) | null = null;
  class FakeChannel {
    port1 = {
      set onmessage(handler: () => void) {
        onmessage = handler;
      },
    } as unknown as MessagePort;
    port2 = { postMessage: (data: unknown) => posted.push(data) } as unknown as MessagePort;
  }
  const deliver = () => {
    const count = posted.splice(0).length;
    for (let i = 0; i < count; i++) onmessage?.();
  };
  return { env: { MessageChannel: FakeChannel as unknown as typeof MessageChannel, setTimeout: () => 0 }, posted, deliver };
}

describe('createTaskScheduler with a MessageChannel (browsers)', () => {
  it('runs the tasks scheduled before the message together, in order, for one postMessage', () => {
    const { env, posted, deliver } = fakeChannelEnv();
    const schedule = createTaskScheduler(env);
    const ran: number[] = [];
    schedule(() => ran.push(1));
    schedule(() => ran.push(2));
    schedule(() => ran.push(3));
    expect(posted).toHaveLength(1);
    expect(ran).toEqual([]);
    deliver();
    expect(ran).toEqual([1, 2, 3]);
  });

  it('leaves a task scheduled by a running task to the next message', () => {
    const { env, posted, deliver } = fakeChannelEnv();
    const schedule = createTaskScheduler(env);
    const ran: string[] = [];
    schedule(() => {
      ran.push('first');
      schedule(() => ran.push('nested'));
    });
    deliver();
    expect(ran).toEqual(['first']);
    expect(posted).toHaveLength(1);
    deliver();
    expect(ran).toEqual(['first', 'nested']);
  });

  it('runs the tasks after one that throws, and reports the error as uncaught', async () => {
    const { env, deliver } = fakeChannelEnv();
    const schedule = createTaskScheduler(env);
    const ran: string[] = [];
    const thrown: unknown[] = [];
    const spy = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => {
      try {
        callback();
      } catch (error) {
        thrown.push(error);
      }
    });
    try {
      schedule(() => {
        throw new Error('boom');
      });
      schedule(() => ran.push('after'));
      deliver();
    } finally {
      spy.mockRestore();
    }
    expect(ran).toEqual(['after']);
    expect(thrown).toEqual([new Error('boom')]);
  });
});
