/**
 * The page's side of stamp minting: starts a stamp worker (stamp-worker.ts),
 * asks it for the stamp of one key, and ends it. A tab mints once per
 * identity and keeps the stamp with its key (app/open-identity.ts).
 */
import type { WorkerLike } from './verifier-pool-api.ts';
import { parseStampReply, type StampRequest } from './stamp-protocol.ts';

/** The worker failed, or answered with something other than a stamp. */
export class StampMintError extends Error {
  override readonly name = 'StampMintError';
}

export interface StampMinterInit {
  /** Makes the worker; the default starts stamp-worker.ts as a module worker. Tests pass an in-process fake. */
  createWorker?: () => WorkerLike;
}

function defaultWorker(): WorkerLike {
  return new Worker(new URL('./stamp-worker.ts', import.meta.url), { type: 'module', name: 'tabmesh-stamp' });
}

/** Mints the identity stamp of `publicKey` at `bits` off the main thread; resolves to the nonce. */
export function mintStampInWorker(publicKey: Uint8Array, bits: number, init: StampMinterInit = {}): Promise<{ nonce: number; hashes: number }> {
  const worker = (init.createWorker ?? defaultWorker)();
  return new Promise<{ nonce: number; hashes: number }>((resolve, reject) => {
    worker.addEventListener('message', (event) => {
      const reply = parseStampReply((event as MessageEvent<unknown>).data);
      if (reply?.type === 'stamped') resolve({ nonce: reply.nonce, hashes: reply.hashes });
      else reject(new StampMintError(reply ? `stamp worker refused: ${reply.detail}` : 'stamp worker sent an unreadable reply'));
    });
    worker.addEventListener('messageerror', () => reject(new StampMintError('stamp worker reply could not be read')));
    worker.addEventListener('error', (event) => reject(new StampMintError(`stamp worker failed: ${(event as ErrorEvent).message ?? 'unknown error'}`)));
    const request: StampRequest = { type: 'stamp', publicKey: publicKey.slice(), bits };
    worker.postMessage(request, []);
  }).finally(() => worker.terminate());
}
