/**
 * The verifier pool's public types and errors (the factory is in
 * verifier-pool.ts, which re-exports all of these).
 */
import type { Logger, Verifier } from '../core/types.ts';

/** The part of the Worker API the pool uses, so tests can inject a fake. */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: Event) => void): void;
  terminate(): void;
}

export interface VerifierPoolInit {
  /** Number of workers. Default clamp(hardwareConcurrency, 1, 4). */
  size?: number;
  /** Makes one worker; the default starts verify-worker.ts as a module worker. */
  createWorker?: () => WorkerLike;
  /** Cached answers, default 10,000 (each about 150 bytes with its key). */
  maxCacheEntries?: number;
  /** Largest request sent to one worker; default and maximum MAX_REQUEST_ITEMS. */
  maxRequestItems?: number;
  /** Runs the flush that sends gathered misses; default: a new task (macrotask.ts). */
  scheduleTask?: (task: () => void) => void;
  /** Overrides navigator.hardwareConcurrency when sizing the pool. */
  hardwareConcurrency?: number;
  log?: Logger;
}

export interface VerifierPoolStats {
  workers: number;
  /** Workers started so far, counting replacements. */
  workersStarted: number;
  crashes: number;
  requestsSent: number;
  pendingRequests: number;
  /** Items actually sent to a worker. */
  itemsVerified: number;
  /** Items answered from the cache. */
  cacheHits: number;
  /** Items that joined a verification already in flight. */
  inflightHits: number;
  cacheEntries: number;
}

export interface VerifierPool extends Verifier {
  /** The Ed25519 backend the workers chose ('webcrypto' or 'noble'). */
  backend(): Promise<string>;
  /** Terminates the workers and rejects pending calls with VerifierClosedError. */
  close(): void;
  stats(): VerifierPoolStats;
}

/** A worker died (error event, unreadable message) while holding requests. */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
}
/** A worker refused a request, or failed while verifying it. */
export class VerifyRequestError extends Error {
  override readonly name = 'VerifyRequestError';
}
/** The pool was closed before or while the call ran. */
export class VerifierClosedError extends Error {
  override readonly name = 'VerifierClosedError';
}
