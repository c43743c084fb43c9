/**
 * An in-process stand-in for verify-worker.ts, for Node tests of the pool. It
 * runs the real handleVerifyRequest and copies messages with structuredClone
 * (honouring the transfer list), as a real worker boundary would.
 */
import type { VerifyItem } from '../../src/core/types.ts';
import type { WorkerLike } from '../../src/worker/verifier-pool-api.ts';
import { handleVerifyRequest, type ItemVerifier } from '../../src/worker/verify-protocol.ts';

export class FakeVerifyWorker implements WorkerLike {
  private readonly events = new EventTarget();
  private held: unknown[] = [];
  /** Requests received, after the structured clone. */
  readonly received: unknown[] = [];
  terminated = false;
  /** While true, requests are queued until release(). */
  paused = false;

  constructor(private readonly verifier: ItemVerifier) {}

  postMessage(message: unknown, transfer: Transferable[]): void {
    if (this.terminated) return;
    const data = structuredClone(message, { transfer });
    this.received.push(data);
    if (this.paused) this.held.push(data);
    else this.process(data);
  }

  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: Event) => void): void {
    this.events.addEventListener(type, listener);
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Answers every queued request. */
  release(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (const data of held) this.process(data);
  }

  /** Fires an 'error' event, as an uncaught exception in a real worker does. */
  crash(message = 'Uncaught RangeError: boom'): void {
    this.events.dispatchEvent(Object.assign(new Event('error'), { message }));
  }

  /** Sends an arbitrary message, to test the pool's reply parsing. */
  reply(data: unknown): void {
    this.events.dispatchEvent(new MessageEvent('message', { data }));
  }

  private process(data: unknown): void {
    void handleVerifyRequest(data, this.verifier).then((reply) => {
      if (!this.terminated) this.reply(structuredClone(reply));
    });
  }
}

/** Wraps a verifier and counts the signatures it checks. */
export function countingVerifier(inner: ItemVerifier): ItemVerifier & { calls: number; seen: VerifyItem[] } {
  const counter = {
    backend: inner.backend,
    calls: 0,
    seen: [] as VerifyItem[],
    verify(item: VerifyItem): Promise<boolean> {
      counter.calls++;
      counter.seen.push(item);
      return inner.verify(item);
    },
  };
  return counter;
}
