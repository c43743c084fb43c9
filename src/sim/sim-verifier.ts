/**
 * The simulator's Verifier: real Ed25519 verification behind a cache, with
 * completion order under the scheduler's control.
 *
 * - Cost: a transaction gossiped to 1,000 nodes is verified 1,000 times by
 *   the core, but the cache (keyed by signature, public key and message, so a
 *   copied signature on another message is still checked) makes it one real
 *   verification. WebCrypto is used when the runtime has it (Node 20 does).
 * - Determinism: a real verification completes on a thread-pool callback, at
 *   a real-time-dependent moment. So a request that needs one gets a deferred
 *   promise that only `flush()` resolves, in request order, after every
 *   outstanding real answer is in. The scheduler calls flush() when it
 *   settles (it is a Settler), so the node's continuation runs at the same
 *   virtual instant, in the same order, on every run. A cache hit resolves at
 *   once (a microtask), which is also deterministic.
 */
import type { Verifier, VerifyItem } from '../core/types.ts';
import { equalBytes } from '../core/bytes.ts';
import { createEd25519Verifier, type Ed25519Verifier } from '../crypto/ed25519.ts';

export interface SimVerifierStats {
  /** verify() calls. */
  requests: number;
  /** Items checked, cached or not. */
  items: number;
  /** Items answered by a real Ed25519 verification. */
  realVerifies: number;
  cacheHits: number;
}

export interface SimVerifier extends Verifier {
  readonly backend: string;
  /** Resolves pending requests in request order; undefined when none is pending. */
  flush(): Promise<void> | undefined;
  stats(): SimVerifierStats;
}

/** Mutable so a deferred request sees the answer once its real verification lands. */
interface Entry {
  publicKey: Uint8Array;
  message: Uint8Array;
  done: boolean;
  valid: boolean;
  pending?: Promise<void>;
}

interface Deferred {
  entries: Entry[];
  resolve(results: boolean[]): void;
}

/** One char per byte (latin1): several times cheaper than hex, which dominated a profile. */
function binary(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return out;
}

/** Wraps `backend` (default: WebCrypto when available, else noble). */
export async function createSimVerifier(backend?: Ed25519Verifier): Promise<SimVerifier> {
  const real = backend ?? (await createEd25519Verifier());
  /**
   * Entries by signature (64 bytes as a string), each list holding the keys
   * and messages that signature was checked with, so a copied signature on
   * another message is still verified. Keyed by the signature alone, not
   * the whole item: building and hashing a string of every ~700-byte message
   * was 4% of a 200-tab run, once per node per record.
   */
  const cache = new Map<string, Entry[]>();
  let queue: Deferred[] = [];
  const stats: SimVerifierStats = { requests: 0, items: 0, realVerifies: 0, cacheHits: 0 };

  function entryFor(item: VerifyItem): Entry {
    const key = binary(item.signature);
    let list = cache.get(key);
    const cached = list?.find((entry) => equalBytes(entry.publicKey, item.publicKey) && equalBytes(entry.message, item.message));
    if (cached) {
      stats.cacheHits++;
      return cached;
    }
    stats.realVerifies++;
    // Copies: the cache outlives the frame the item was read from.
    const entry: Entry = { publicKey: item.publicKey.slice(), message: item.message.slice(), done: false, valid: false };
    // The real verifier answers false for bad input and never rejects; a
    // rejection is a runtime fault, surfaced by flush() to the run.
    entry.pending = real.verify(item).then((valid) => {
      entry.done = true;
      entry.valid = valid;
    });
    if (!list) cache.set(key, (list = []));
    list.push(entry);
    return entry;
  }

  return {
    backend: real.backend,
    verify(items) {
      stats.requests++;
      stats.items += items.length;
      const entries = items.map(entryFor);
      if (entries.every((entry) => entry.done)) return Promise.resolve(entries.map((entry) => entry.valid));
      return new Promise<boolean[]>((resolve) => queue.push({ entries, resolve }));
    },
    flush() {
      if (queue.length === 0) return undefined;
      const batch = queue;
      queue = [];
      const waits = batch.flatMap((deferred) => deferred.entries.flatMap((entry) => (entry.pending && !entry.done ? [entry.pending] : [])));
      return Promise.all(waits).then(() => {
        for (const deferred of batch) deferred.resolve(deferred.entries.map((entry) => entry.valid));
      });
    },
    stats: () => ({ ...stats }),
  };
}
