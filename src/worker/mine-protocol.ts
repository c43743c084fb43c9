/**
 * Proof-of-work search and the messages between the miner (main thread) and
 * its worker. Pure, so Node tests drive it without a Worker global; the
 * worker's run loop is in mine-runner.ts and its entry in mine-worker.ts.
 *
 *   miner -> worker  {type: 'mine', jobId, headerBytes, target, startNonce} | {type: 'stop'}
 *   worker -> miner  {type: 'progress', jobId, hashes}
 *                  | {type: 'found', jobId, nonce, hash, hashes}
 *                  | {type: 'error', jobId, reason, detail}
 *
 * `hashes` always counts the hashes tried since that job's previous report,
 * so the miner can sum reports without tracking each job.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { isHexOfLength, toHex } from '../core/bytes.ts';
import { BLOCK_HEADER_BYTES, HEADER_NONCE_OFFSET } from '../core/ledger/block.ts';
import { targetBytes } from '../core/ledger/pow.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { BlockHash } from '../core/types.ts';

/** The first 64 bytes of the header (one SHA-256 block) hold no nonce: their compression is done once per job. */
const MIDSTATE_BYTES = 64;
const TWO_32 = 0x1_0000_0000;

export type NonceSearchResult =
  | { found: true; nonce: number; hash: BlockHash; hashes: number }
  /** `nextNonce` is where to continue; above 2^53-1 the nonce space is used up. */
  | { found: false; hashes: number; nextNonce: number };

export interface NonceSearcher {
  /** Tries startNonce, startNonce + 1, … for at most `maxHashes` nonces (never past 2^53-1). */
  search(startNonce: number, maxHashes: number): NonceSearchResult;
}

function assertNonce(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`${field} must be an integer in [0, 2^53-1], got ${String(value)}`);
}

/** 32 big-endian bytes from a bigint, 64 hex characters, or the bytes themselves. */
function toTargetBytes(target: bigint | string | Uint8Array): Uint8Array {
  if (target instanceof Uint8Array) {
    if (target.length !== 32) throw new InvalidArgumentError(`target must be 32 bytes, got ${target.length}`);
    return target.slice();
  }
  return targetBytes(target);
}

/**
 * A searcher over one header. It copies the header once, compresses its
 * first 64 bytes once (the midstate), and per nonce rewrites 8 bytes, clones
 * the midstate into a reused hasher and hashes the remaining 85 bytes into a
 * reused buffer: two SHA-256 compressions and no allocation per try.
 *
 * Measured in Node 20 on this machine (2 cores, one busy), 149-byte header:
 * plain `sha256(header)` per nonce 450k–590k hashes/s; this midstate loop
 * 840k–1.05M hashes/s (about 1.8× faster).
 */
export function createNonceSearcher(headerBytes: Uint8Array, target: bigint | string | Uint8Array): NonceSearcher {
  if (!(headerBytes instanceof Uint8Array) || headerBytes.length !== BLOCK_HEADER_BYTES) {
    throw new InvalidArgumentError(`headerBytes must be a ${BLOCK_HEADER_BYTES}-byte Uint8Array`);
  }
  const limit = toTargetBytes(target);
  const header = headerBytes.slice();
  const view = new DataView(header.buffer);
  const tail = header.subarray(MIDSTATE_BYTES);
  const midstate = sha256.create().update(header.subarray(0, MIDSTATE_BYTES));
  const hasher = sha256.create();
  const out = new Uint8Array(32);

  return {
    search(startNonce, maxHashes) {
      assertNonce(startNonce, 'startNonce');
      assertNonce(maxHashes, 'maxHashes');
      const end = Math.min(startNonce + maxHashes, Number.MAX_SAFE_INTEGER + 1);
      for (let nonce = startNonce; nonce < end; nonce++) {
        // Two u32 writes rather than setBigUint64: no bigint per try.
        view.setUint32(HEADER_NONCE_OFFSET, Math.floor(nonce / TWO_32));
        view.setUint32(HEADER_NONCE_OFFSET + 4, nonce >>> 0);
        midstate._cloneInto(hasher);
        hasher.update(tail);
        hasher.digestInto(out);
        // Big-endian out <= limit; the first byte settles it 255 times in 256.
        let meets = true;
        for (let i = 0; i < 32; i++) {
          if (out[i] !== limit[i]) {
            meets = out[i]! < limit[i]!;
            break;
          }
        }
        if (meets) return { found: true, nonce, hash: toHex(out), hashes: nonce - startNonce + 1 };
      }
      return { found: false, hashes: Math.max(0, end - startNonce), nextNonce: Math.max(end, startNonce) };
    },
  };
}

/**
 * One-shot search: tries up to `maxHashes` nonces from `startNonce` on a
 * 149-byte header (docs/PROTOCOL.md, "Blocks"), patching the u64 big-endian
 * nonce at byte HEADER_NONCE_OFFSET (109). For repeated slices of one job,
 * keep a createNonceSearcher instead, which reuses the midstate.
 */
export function searchNonce(headerBytes: Uint8Array, target: bigint | string | Uint8Array, startNonce: number, maxHashes: number): NonceSearchResult {
  return createNonceSearcher(headerBytes, target).search(startNonce, maxHashes);
}

export interface MineJob {
  type: 'mine';
  /** Chosen by the miner, echoed in replies; a non-negative safe integer. */
  jobId: number;
  headerBytes: Uint8Array;
  /** 64 lower-case hex characters, the 256-bit big-endian target. */
  target: string;
  startNonce: number;
}

export type MineRequest = MineJob | { type: 'stop' };

export type MineErrorReason = 'malformed-request' | 'nonce-space-exhausted' | 'search-failed';

export type MineReply =
  | { type: 'progress'; jobId: number; hashes: number }
  | { type: 'found'; jobId: number; nonce: number; hash: BlockHash; hashes: number }
  /** `jobId` is null when the request was too malformed to carry one. */
  | { type: 'error'; jobId: number | null; reason: MineErrorReason; detail: string };

const isId = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Checks an incoming request's shape before any work is done. */
export function parseMineRequest(data: unknown): { ok: true; request: MineRequest } | Extract<MineReply, { type: 'error' }> {
  const fail = (jobId: number | null, detail: string) => ({ type: 'error' as const, jobId, reason: 'malformed-request' as const, detail });
  if (typeof data !== 'object' || data === null) return fail(null, 'request must be an object');
  const { type, jobId, headerBytes, target, startNonce } = data as Record<string, unknown>;
  if (type === 'stop') return { ok: true, request: { type: 'stop' } };
  if (type !== 'mine') return fail(null, `unknown request type ${JSON.stringify(typeof type === 'string' ? type.slice(0, 32) : typeof type)}`);
  if (!isId(jobId)) return fail(null, 'jobId must be a non-negative safe integer');
  if (!(headerBytes instanceof Uint8Array) || headerBytes.length !== BLOCK_HEADER_BYTES) return fail(jobId, `headerBytes must be a ${BLOCK_HEADER_BYTES}-byte Uint8Array`);
  if (!isHexOfLength(target, 32)) return fail(jobId, 'target must be 64 lower-case hex characters');
  if (!isId(startNonce)) return fail(jobId, 'startNonce must be an integer in [0, 2^53-1]');
  return { ok: true, request: { type: 'mine', jobId, headerBytes, target, startNonce } };
}

/** Checks a worker's reply; undefined when it is not a MineReply. */
export function parseMineReply(data: unknown): MineReply | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const reply = data as Record<string, unknown>;
  const { type, jobId, hashes } = reply;
  if (type === 'progress') return isId(jobId) && isId(hashes) ? { type, jobId, hashes } : undefined;
  if (type === 'found') {
    const { nonce, hash } = reply;
    return isId(jobId) && isId(hashes) && isId(nonce) && isHexOfLength(hash, 32) ? { type, jobId, nonce, hash, hashes } : undefined;
  }
  if (type === 'error') {
    const { reason, detail } = reply;
    if (!(jobId === null || isId(jobId)) || typeof detail !== 'string') return undefined;
    if (reason !== 'malformed-request' && reason !== 'nonce-space-exhausted' && reason !== 'search-failed') return undefined;
    return { type, jobId, reason, detail };
  }
  return undefined;
}
