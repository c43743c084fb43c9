/**
 * Minting an identity stamp (core/identity-stamp.ts) in a Web Worker, and the
 * messages between the page and that worker. Pure, so Node tests drive it
 * without a Worker global; the worker's entry is stamp-worker.ts and the
 * page's side stamp-minter.ts.
 *
 *   page -> worker  {type: 'stamp', publicKey, bits}
 *   worker -> page  {type: 'stamped', nonce, hashes} | {type: 'error', detail}
 *
 * One request per worker: the page starts a worker for the mint and ends it
 * after, since a tab mints once per identity (~1 s on main) and never again.
 */
import { createStampSearcher, isStampNonce, MAX_IDENTITY_STAMP_BITS } from '../core/identity-stamp.ts';

export interface StampRequest {
  type: 'stamp';
  publicKey: Uint8Array;
  bits: number;
}

export type StampReply = { type: 'stamped'; nonce: number; hashes: number } | { type: 'error'; detail: string };

/** Checks a request's shape before any work is done. */
export function parseStampRequest(data: unknown): StampRequest | Extract<StampReply, { type: 'error' }> {
  if (typeof data !== 'object' || data === null) return { type: 'error', detail: 'request must be an object' };
  const { type, publicKey, bits } = data as Record<string, unknown>;
  if (type !== 'stamp') return { type: 'error', detail: 'request type must be "stamp"' };
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return { type: 'error', detail: 'publicKey must be a 32-byte Uint8Array' };
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 0 || bits > MAX_IDENTITY_STAMP_BITS) {
    return { type: 'error', detail: `bits must be an integer in 0..${MAX_IDENTITY_STAMP_BITS}` };
  }
  return { type: 'stamp', publicKey, bits };
}

/** Checks a worker's reply; undefined when it is not a StampReply. */
export function parseStampReply(data: unknown): StampReply | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { type, nonce, hashes, detail } = data as Record<string, unknown>;
  if (type === 'stamped') return isStampNonce(nonce) && isStampNonce(hashes) ? { type, nonce, hashes } : undefined;
  if (type === 'error') return typeof detail === 'string' ? { type, detail: detail.slice(0, 500) } : undefined;
  return undefined;
}

/** Slices of 2^16 hashes (~65 ms in a worker): the search is one loop, sliced only to count hashes without overflow. */
const SLICE_HASHES = 1 << 16;

/** Answers one request: the least nonce that stamps the key (what mintIdentityStamp finds), or why not. */
export function handleStampRequest(data: unknown): StampReply {
  const request = parseStampRequest(data);
  if (request.type === 'error') return request;
  const searcher = createStampSearcher(request.publicKey, request.bits);
  let hashes = 0;
  for (let next = 0; next < Number.MAX_SAFE_INTEGER;) {
    const result = searcher.search(next, SLICE_HASHES);
    hashes += result.hashes;
    if (result.found) return { type: 'stamped', nonce: result.nonce, hashes };
    next = result.nextNonce;
  }
  return { type: 'error', detail: 'no identity stamp below 2^53' };
}
