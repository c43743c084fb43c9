/**
 * A pool of verification workers behind the core's Verifier interface. The
 * calling (main) thread never verifies a signature: it hashes items for the
 * cache, splits the misses across workers, and reassembles the answers in
 * order.
 *
 * Batching works two ways. Items from calls made while one task runs leave
 * together at its end. While a request is out at a worker, items from the
 * tasks queued behind it (one per arriving transaction under gossip) wait
 * for one scheduled flush if some worker is idle, and for the first reply
 * if none is, and leave as one request; an idle pool sends at the end of
 * the calling task instead, so a lone transaction does not wait behind every
 * task already queued on a busy page (Nagle's rule: batch only while
 * something is in flight). A large call does not wait for all its keys to be
 * hashed: every STREAM_CHUNK_ITEMS misses leave at once, so the worker
 * verifies one chunk while this thread hashes the next (measured: hashing a
 * whole 2,048-item round first held the pool at 0.67x the raw loop; streamed,
 * 0.84x; docs/PERFORMANCE.md).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteWriter, toHex } from '../core/bytes.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { Logger, VerifyItem } from '../core/types.ts';
import { LruCache } from '../core/lru-cache.ts';
import {
  VerifierClosedError,
  VerifyRequestError,
  WorkerCrashedError,
  type VerifierPool,
  type VerifierPoolInit,
  type WorkerLike,
} from './verifier-pool-api.ts';
import { createTaskScheduler } from '../runtime/macrotask.ts';
import { MAX_MESSAGE_BYTES, MAX_REQUEST_ITEMS, packVerifyRequest, parseVerifyReply, type VerifyReply } from './verify-protocol.ts';

export * from './verifier-pool-api.ts';

/**
 * One worker per core, up to 4: WebCrypto verifies about 20,000 signatures a
 * second per core, so 4 outrun any plausible transaction rate, and each
 * worker is a JavaScript heap in a tab that shares the machine with other
 * tabs. Workers start lazily and sleep between batches, so a worker per core
 * costs nothing when idle; while a big batch (a synced block, a burst) is
 * verified, the page mostly waits for the answer, so leaving a core to it
 * (an earlier cores - 1 rule) only halved the speed on a 2-core machine: one
 * worker reached 0.65-0.8x a loop on the page's own thread (docs/PERFORMANCE.md).
 */
const MAX_DEFAULT_WORKERS = 4;
const DEFAULT_CACHE_ENTRIES = 10_000;
/**
 * A batch is split over the workers only into requests of at least this many
 * items. A message to a worker costs the page about as much as verifying a
 * few items there, so splitting a small batch (gossip sends one to five
 * transactions at a time) only doubled the messages: postMessage was 5% of a
 * tab's main thread at 350 tx/s. 32 items are 1.5 ms of WebCrypto work.
 */
const MIN_SPLIT_ITEMS = 32;
/** Misses that leave for a worker while a large call is still being hashed. */
const STREAM_CHUNK_ITEMS = 256;

interface Slot {
  index: number;
  worker: WorkerLike | undefined;
  pending: Set<number>;
  outstandingItems: number;
}

/** An item no cached or in-flight answer covers, waiting to be sent to a worker. */
interface Miss {
  key: string;
  item: VerifyItem;
  resolve(ok: boolean): void;
  reject(error: Error): void;
}

interface PendingRequest {
  slot: Slot;
  size: number;
  resolve(reply: Extract<VerifyReply, { ok: true }>): void;
  reject(error: Error): void;
}

/** Cache key: SHA-256 over the length-prefixed fields, so no two items collide by concatenation. */
function cacheKey(item: VerifyItem): string {
  const framed = new ByteWriter().bytes32(item.publicKey).bytes32(item.signature).bytes(item.message).finish();
  return toHex(sha256(framed));
}

/** Titled checks at the API edge: a bad item is a caller bug, named by index and field. */
function assertVerifyItem(item: VerifyItem, index: number): void {
  for (const field of ['publicKey', 'message', 'signature'] as const) {
    if (!(item?.[field] instanceof Uint8Array)) throw new InvalidArgumentError(`items[${index}].${field} must be a Uint8Array`);
  }
  if (item.message.length > MAX_MESSAGE_BYTES) {
    throw new InvalidArgumentError(`items[${index}].message is ${item.message.length} bytes, limit ${MAX_MESSAGE_BYTES}`);
  }
}

function defaultWorker(): WorkerLike {
  return new Worker(new URL('./verify-worker.ts', import.meta.url), { type: 'module', name: 'tabmesh-verify' });
}

function defaultSize(hardwareConcurrency: number | undefined): number {
  const cores = hardwareConcurrency !== undefined && Number.isFinite(hardwareConcurrency) ? Math.floor(hardwareConcurrency) : 2;
  return Math.min(Math.max(cores, 1), MAX_DEFAULT_WORKERS);
}

/** Starts a verifier pool. Workers start lazily, on the first request each receives. */
export function createVerifierPool(init: VerifierPoolInit = {}): VerifierPool {
  const size = init.size ?? defaultSize(init.hardwareConcurrency ?? globalThis.navigator?.hardwareConcurrency);
  if (!Number.isSafeInteger(size) || size < 1 || size > 64) throw new InvalidArgumentError(`size must be an integer from 1 to 64, got ${String(size)}`);
  const maxRequestItems = init.maxRequestItems ?? MAX_REQUEST_ITEMS;
  if (!Number.isSafeInteger(maxRequestItems) || maxRequestItems < 1 || maxRequestItems > MAX_REQUEST_ITEMS) {
    throw new InvalidArgumentError(`maxRequestItems must be an integer from 1 to ${MAX_REQUEST_ITEMS}`);
  }
  const createWorker = init.createWorker ?? defaultWorker;
  const log: Logger = init.log ?? { info: (m, f) => console.info(m, f ?? ''), warn: (m, f) => console.warn(m, f ?? '') };
  const cache = new LruCache<string, boolean>(init.maxCacheEntries ?? DEFAULT_CACHE_ENTRIES);
  const inflight = new Map<string, Promise<boolean>>();
  const requests = new Map<number, PendingRequest>();
  const slots: Slot[] = Array.from({ length: size }, (_, index) => ({ index, worker: undefined, pending: new Set(), outstandingItems: 0 }));
  const counts = { workersStarted: 0, crashes: 0, requestsSent: 0, itemsVerified: 0, cacheHits: 0, inflightHits: 0 };
  let nextId = 0;
  let nextSlot = 0;
  let closed = false;
  let backendAnswer: Promise<string> | undefined;
  const scheduleFlush = init.scheduleTask ?? createTaskScheduler();
  /** Misses gathered since the last flush; see the file comment. */
  let unsent: Miss[] = [];
  let flushScheduled = false;

  function flushUnsent(): void {
    if (unsent.length === 0) return;
    const batch = unsent;
    unsent = [];
    dispatch(batch);
  }

  function scheduledFlush(): void {
    flushScheduled = false;
    if (closed) return;
    flushUnsent();
  }

  /**
   * Sends the misses held while every worker was busy (queueMiss): called when a worker answers or
   * crashes, so none is left waiting.
   */
  function flushHeldMisses(): void {
    if (unsent.length > 0 && !flushScheduled && !closed) flushUnsent();
  }

  function queueMiss(miss: Miss): void {
    unsent.push(miss);
    if (unsent.length >= STREAM_CHUNK_ITEMS) return flushUnsent();
    if (flushScheduled) return;
    if (requests.size === 0) {
      flushScheduled = true;
      queueMicrotask(scheduledFlush);
    } else if (slots.some((slot) => slot.outstandingItems === 0)) {
      flushScheduled = true;
      scheduleFlush(scheduledFlush);
    }
    // Otherwise every worker is busy: the misses wait for the first reply and leave with it (flushHeldMisses), as one
    // request. Sent a task later instead, gossip's misses went out one or two per message, and
    // postMessage took 5-7% of a tab's main thread at 350 tx/s (docs/PERFORMANCE.md).
  }

  function settle(id: number): PendingRequest | undefined {
    const request = requests.get(id);
    if (!request) return undefined;
    requests.delete(id);
    request.slot.pending.delete(id);
    request.slot.outstandingItems -= request.size;
    return request;
  }

  /** Rejects everything the slot's worker holds and drops it; the next request starts a new one. */
  function crash(slot: Slot, worker: WorkerLike, why: string): void {
    if (slot.worker !== worker) return; // an event from a worker already replaced
    counts.crashes++;
    log.warn('verify worker crashed; it will be replaced', { worker: slot.index, why, pending: slot.pending.size });
    slot.worker = undefined;
    worker.terminate();
    // Replacement is lazy: starting a new worker here would loop forever if
    // the worker script itself fails to load.
    for (const id of [...slot.pending]) settle(id)?.reject(new WorkerCrashedError(`verify worker ${slot.index} crashed: ${why}`));
    flushHeldMisses();
  }

  function onReply(slot: Slot, worker: WorkerLike, data: unknown): void {
    if (slot.worker !== worker) return; // late message from a worker already replaced
    const reply = parseVerifyReply(data);
    if (!reply) return crash(slot, worker, 'sent a malformed reply');
    // The pool only sends well-formed requests, so a reply with no id means
    // the worker is broken, and no pending request can be matched to it.
    if (reply.id === null) return crash(slot, worker, `refused a request: ${reply.ok ? '' : reply.detail}`);
    const request = settle(reply.id);
    if (!request) {
      log.warn('verify worker replied to an unknown request', { worker: slot.index, id: reply.id });
      return;
    }
    if (!reply.ok) request.reject(new VerifyRequestError(`verify worker ${slot.index} ${reply.reason}: ${reply.detail}`));
    else if (reply.results.length !== request.size) request.reject(new VerifyRequestError(`verify worker ${slot.index} sent ${reply.results.length} results for ${request.size} items`));
    else request.resolve(reply);
    flushHeldMisses();
  }

  function workerFor(slot: Slot): WorkerLike {
    if (slot.worker) return slot.worker;
    const worker = createWorker();
    counts.workersStarted++;
    slot.worker = worker;
    worker.addEventListener('message', (event) => onReply(slot, worker, (event as MessageEvent<unknown>).data));
    worker.addEventListener('messageerror', () => crash(slot, worker, 'a reply could not be deserialized'));
    worker.addEventListener('error', (event) => {
      const message = (event as ErrorEvent).message;
      crash(slot, worker, typeof message === 'string' && message !== '' ? message : 'error event');
    });
    return worker;
  }

  /** The least-loaded slot, ties broken round-robin so idle workers share the load. */
  function pickSlot(): Slot {
    let best = slots[nextSlot]!;
    for (let i = 1; i < slots.length; i++) {
      const slot = slots[(nextSlot + i) % slots.length]!;
      if (slot.outstandingItems < best.outstandingItems) best = slot;
    }
    nextSlot = (nextSlot + 1) % slots.length;
    return best;
  }

  function send(items: readonly VerifyItem[]): Promise<Extract<VerifyReply, { ok: true }>> {
    return new Promise((resolve, reject) => {
      if (closed) throw new VerifierClosedError('verifier pool is closed');
      const slot = pickSlot();
      const worker = workerFor(slot);
      const id = nextId++;
      const { request, transfer } = packVerifyRequest(id, items);
      requests.set(id, { slot, size: items.length, resolve, reject });
      slot.pending.add(id);
      slot.outstandingItems += items.length;
      counts.requestsSent++;
      counts.itemsVerified += items.length;
      try {
        worker.postMessage(request, transfer);
      } catch (error) {
        settle(id);
        throw error;
      }
    });
  }

  /** Sends `fresh` in chunks spread over the workers (MIN_SPLIT_ITEMS); settles each key's deferred. */
  function dispatch(fresh: Miss[]): void {
    const parts = Math.min(slots.length, Math.max(1, Math.floor(fresh.length / MIN_SPLIT_ITEMS)));
    const chunkSize = Math.min(maxRequestItems, Math.ceil(fresh.length / parts));
    for (let start = 0; start < fresh.length; start += chunkSize) {
      const chunk = fresh.slice(start, start + chunkSize);
      send(chunk.map((entry) => entry.item)).then(
        (reply) => {
          chunk.forEach((entry, i) => {
            const result = reply.results[i]!;
            cache.set(entry.key, result);
            inflight.delete(entry.key);
            entry.resolve(result);
          });
        },
        (error: unknown) => {
          const failure = error instanceof Error ? error : new VerifyRequestError(String(error));
          for (const entry of chunk) {
            inflight.delete(entry.key);
            entry.reject(failure);
          }
        },
      );
    }
  }

  return {
    async verify(items) {
      if (!Array.isArray(items)) throw new InvalidArgumentError('items must be an array of VerifyItem');
      if (closed) throw new VerifierClosedError('verifier pool is closed');
      const answers: (boolean | Promise<boolean>)[] = [];
      items.forEach(assertVerifyItem);
      for (const item of items) {
        const key = cacheKey(item);
        const cached = cache.get(key);
        if (cached !== undefined) {
          counts.cacheHits++;
          answers.push(cached);
          continue;
        }
        const pending = inflight.get(key);
        if (pending) {
          counts.inflightHits++;
          answers.push(pending);
          continue;
        }
        const promise = new Promise<boolean>((resolve, reject) => queueMiss({ key, item, resolve, reject }));
        inflight.set(key, promise);
        answers.push(promise);
      }
      return Promise.all(answers);
    },

    backend() {
      backendAnswer ??= send([]).then(
        (reply) => reply.backend,
        (error: unknown) => {
          backendAnswer = undefined; // let a later call ask again, e.g. after a crash
          throw error;
        },
      );
      return backendAnswer;
    },

    close() {
      if (closed) return;
      closed = true;
      for (const slot of slots) {
        slot.worker?.terminate();
        slot.worker = undefined;
      }
      for (const id of [...requests.keys()]) settle(id)?.reject(new VerifierClosedError('verifier pool was closed'));
      for (const miss of unsent) {
        inflight.delete(miss.key);
        miss.reject(new VerifierClosedError('verifier pool was closed'));
      }
      unsent = [];
    },

    stats() {
      return {
        workers: slots.length,
        ...counts,
        pendingRequests: requests.size,
        cacheEntries: cache.size,
      };
    },
  };
}
