import { describe, expect, it } from 'vitest';
import { toHex } from '../core/bytes.ts';
import { checkIdentityStamp, mintIdentityStamp } from '../core/identity-stamp.ts';
import { mintStampInWorker, StampMintError } from './stamp-minter.ts';
import { handleStampRequest, parseStampReply } from './stamp-protocol.ts';
import type { WorkerLike } from './verifier-pool-api.ts';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);

/** An in-process stand-in for stamp-worker.ts: structured clones both ways, replies as a separate task. */
class FakeStampWorker implements WorkerLike {
  private readonly events = new EventTarget();
  terminated = false;
  constructor(private readonly answer: (data: unknown) => unknown = handleStampRequest) {}
  postMessage(message: unknown): void {
    const data = structuredClone(message);
    setImmediate(() => !this.terminated && this.events.dispatchEvent(new MessageEvent('message', { data: structuredClone(this.answer(data)) })));
  }
  addEventListener(type: string, listener: (event: Event) => void): void {
    this.events.addEventListener(type, listener);
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('stamp minting off the main thread', () => {
  it('mints the core\'s stamp in the worker and ends the worker', async () => {
    const worker = new FakeStampWorker();
    const { nonce, hashes } = await mintStampInWorker(KEY, 10, { createWorker: () => worker });
    expect(nonce).toBe(mintIdentityStamp(KEY, 10));
    expect(hashes).toBe(nonce + 1);
    expect(checkIdentityStamp(toHex(KEY), nonce, 10).ok).toBe(true);
    expect(worker.terminated).toBe(true);
  });

  it('rejects with the worker\'s reason for a malformed request, and on an unreadable reply', async () => {
    await expect(mintStampInWorker(KEY.subarray(1), 10, { createWorker: () => new FakeStampWorker() })).rejects.toThrow(/publicKey must be a 32-byte/);
    const garbled = new FakeStampWorker(() => ({ type: 'stamped', nonce: -1, hashes: 1 }));
    await expect(mintStampInWorker(KEY, 10, { createWorker: () => garbled })).rejects.toBeInstanceOf(StampMintError);
    expect(garbled.terminated).toBe(true);
  });

  it('refuses bad requests before any work, and reads only well-formed replies', () => {
    expect(handleStampRequest({ type: 'stamp', publicKey: KEY, bits: 33 })).toMatchObject({ type: 'error' });
    expect(handleStampRequest({ type: 'mine' })).toMatchObject({ type: 'error' });
    expect(handleStampRequest(null)).toMatchObject({ type: 'error' });
    expect(parseStampReply({ type: 'stamped', nonce: 5, hashes: 6 })).toEqual({ type: 'stamped', nonce: 5, hashes: 6 });
    expect(parseStampReply({ type: 'error', detail: 7 })).toBeUndefined();
    expect(parseStampReply('x')).toBeUndefined();
  });
});
