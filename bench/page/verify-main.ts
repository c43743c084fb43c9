/**
 * The signature-verification figure, all in one page (issue 5, "signature
 * verification"): the same kind of items, fresh for every round, verified by
 *
 * - raw WebCrypto on this thread, awaited one at a time (`raw-seq`) and in
 *   batches of 512 awaited together (`raw-batch`, the shape the worker uses);
 * - @noble/ed25519's own `verify` on this thread (`noble`);
 * - the app's verifier pool (src/worker/verifier-pool.ts, default size from
 *   navigator.hardwareConcurrency), given the whole round in one call (`pool`);
 * - the pool's per-item backend on this thread, no worker (`backend-main`,
 *   src/crypto/ed25519.ts: the rule checks plus WebCrypto), to split the
 *   pool's cost into verification and messaging;
 * - single items through the pool, one call at a time (`pool-single`): the
 *   round trip a gossiped transaction pays;
 * - the pool given the same round as 8 calls made back to back
 *   (`pool-chunked`): each call hashes its items and posts them before the
 *   next call hashes, so the worker verifies while this thread hashes, which
 *   shows what pipelining inside verify() would gain;
 * - the pool's cache key alone on this thread (`pool-hash`): SHA-256 over
 *   the length-prefixed item, a copy of cacheKey() in verifier-pool.ts, which
 *   the pool computes on the calling thread for every item before any of them
 *   is sent to a worker.
 *
 * Items are transaction-sized (113-byte messages, like txSigningBytes) signed
 * by 64 keys, so key imports are amortized as they are for real senders.
 * Rounds interleave the variants, so a change in the machine's load hits all
 * of them alike; the harness quotes medians over rounds.
 */
import * as ed from '@noble/ed25519';
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteWriter, toHex } from '../../src/core/bytes.ts';
import { createEd25519Verifier } from '../../src/crypto/ed25519.ts';
import type { VerifyItem } from '../../src/core/types.ts';
import { createVerifierPool } from '../../src/worker/verifier-pool.ts';

export interface VerifyBenchOptions {
  rounds: number;
  /** Items per round for raw, pool and backend-main. */
  items: number;
  /** Items per round for noble (it is ~12x slower). */
  nobleItems: number;
  /** Single-item pool calls per round. */
  singles: number;
}

export type VerifyVariant = 'raw-seq' | 'raw-batch' | 'noble' | 'pool' | 'pool-chunked' | 'backend-main' | 'pool-single' | 'pool-hash';

export interface VerifyBenchResult {
  hardwareConcurrency: number;
  poolWorkers: number;
  poolBackend: string;
  backendMain: string;
  /** Verifications per second, one entry per round. */
  perSecond: Record<VerifyVariant, number[]>;
  /** Median round trip of one item through the pool, µs, per round. */
  singleRoundTripUs: number[];
  /** Every variant answered true for every valid item and false for a corrupted one. */
  allAgreed: boolean;
}

const ED25519 = { name: 'Ed25519' } as const;
const MESSAGE_BYTES = 113;
const KEYS = 64;
const RAW_BATCH = 512;

interface SigningKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  raw: Uint8Array<ArrayBuffer>;
}

async function makeKeys(): Promise<SigningKey[]> {
  return Promise.all(Array.from({ length: KEYS }, async () => {
    const pair = (await crypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    return { privateKey: pair.privateKey, publicKey: pair.publicKey, raw };
  }));
}

async function makeItems(keys: SigningKey[], count: number): Promise<{ item: VerifyItem; key: SigningKey }[]> {
  return Promise.all(Array.from({ length: count }, async (_unused, index) => {
    const key = keys[index % keys.length]!;
    const message = crypto.getRandomValues(new Uint8Array(MESSAGE_BYTES));
    const signature = new Uint8Array(await crypto.subtle.sign(ED25519, key.privateKey, message));
    return { item: { publicKey: key.raw, message, signature }, key };
  }));
}

const rate = (count: number, ms: number) => (count * 1000) / ms;

/** A copy of verifier-pool.ts cacheKey (module-private there), to time that stage alone. */
function poolCacheKey(item: VerifyItem): string {
  const framed = new ByteWriter().bytes32(item.publicKey).bytes32(item.signature).bytes(item.message).finish();
  return toHex(sha256(framed));
}

export async function runVerifyBench(options: VerifyBenchOptions): Promise<VerifyBenchResult> {
  const keys = await makeKeys();
  const pool = createVerifierPool();
  const poolBackend = await pool.backend();
  const backend = await createEd25519Verifier();
  const perSecond: Record<VerifyVariant, number[]> = { 'raw-seq': [], 'raw-batch': [], noble: [], pool: [], 'pool-chunked': [], 'backend-main': [], 'pool-single': [], 'pool-hash': [] };
  const singleRoundTripUs: number[] = [];
  let allAgreed = true;
  const expectAll = (results: boolean[]) => {
    if (!results.every(Boolean)) allAgreed = false;
  };

  // Warm-up (not counted): workers start, backends detect, keys import, the JIT settles.
  const warm = await makeItems(keys, Math.min(options.items, 256));
  expectAll(await pool.verify(warm.map((entry) => entry.item)));
  expectAll(await Promise.all(warm.map(({ item }) => backend.verify(item))));
  expectAll(await Promise.all(warm.map(({ item, key }) => crypto.subtle.verify(ED25519, key.publicKey, item.signature as Uint8Array<ArrayBuffer>, item.message as Uint8Array<ArrayBuffer>))));
  expectAll(warm.slice(0, 16).map(({ item }) => ed.verify(item.signature, item.message, item.publicKey)));
  const corrupted = { ...warm[0]!.item, signature: warm[0]!.item.signature.slice() };
  corrupted.signature[0]! ^= 1;
  if ((await pool.verify([corrupted]))[0] !== false || ed.verify(corrupted.signature, corrupted.message, corrupted.publicKey)) allAgreed = false;

  for (let round = 0; round < options.rounds; round++) {
    // Fresh items for every variant: the pool caches answers by item, and nothing may be verified twice.
    const [seqItems, batchItems, poolItems, chunkedItems, mainItems, nobleItems, singleItems] = await Promise.all([
      makeItems(keys, options.items), makeItems(keys, options.items), makeItems(keys, options.items), makeItems(keys, options.items),
      makeItems(keys, options.items), makeItems(keys, options.nobleItems), makeItems(keys, options.singles),
    ]);

    let start = performance.now();
    const seqResults: boolean[] = [];
    for (const { item, key } of seqItems) {
      seqResults.push(await crypto.subtle.verify(ED25519, key.publicKey, item.signature as Uint8Array<ArrayBuffer>, item.message as Uint8Array<ArrayBuffer>));
    }
    perSecond['raw-seq'].push(rate(seqItems.length, performance.now() - start));
    expectAll(seqResults);

    start = performance.now();
    for (let offset = 0; offset < batchItems.length; offset += RAW_BATCH) {
      const batch = batchItems.slice(offset, offset + RAW_BATCH);
      expectAll(await Promise.all(batch.map(({ item, key }) => crypto.subtle.verify(ED25519, key.publicKey, item.signature as Uint8Array<ArrayBuffer>, item.message as Uint8Array<ArrayBuffer>))));
    }
    perSecond['raw-batch'].push(rate(batchItems.length, performance.now() - start));

    start = performance.now();
    expectAll(await pool.verify(poolItems.map((entry) => entry.item)));
    perSecond.pool.push(rate(poolItems.length, performance.now() - start));

    start = performance.now();
    const chunk = Math.ceil(chunkedItems.length / 8);
    const calls: Promise<boolean[]>[] = [];
    for (let offset = 0; offset < chunkedItems.length; offset += chunk) calls.push(pool.verify(chunkedItems.slice(offset, offset + chunk).map((entry) => entry.item)));
    expectAll((await Promise.all(calls)).flat());
    perSecond['pool-chunked'].push(rate(chunkedItems.length, performance.now() - start));

    start = performance.now();
    expectAll(await Promise.all(mainItems.map(({ item }) => backend.verify(item))));
    perSecond['backend-main'].push(rate(mainItems.length, performance.now() - start));

    start = performance.now();
    expectAll(nobleItems.map(({ item }) => ed.verify(item.signature, item.message, item.publicKey)));
    perSecond.noble.push(rate(nobleItems.length, performance.now() - start));

    start = performance.now();
    const keysSeen = new Set(poolItems.map(({ item }) => poolCacheKey(item)));
    perSecond['pool-hash'].push(rate(poolItems.length, performance.now() - start));
    if (keysSeen.size !== poolItems.length) allAgreed = false;

    const trips: number[] = [];
    start = performance.now();
    for (const { item } of singleItems) {
      const tripStart = performance.now();
      expectAll(await pool.verify([item]));
      trips.push((performance.now() - tripStart) * 1000);
    }
    perSecond['pool-single'].push(rate(singleItems.length, performance.now() - start));
    trips.sort((a, b) => a - b);
    singleRoundTripUs.push(trips[Math.floor(trips.length / 2)]!);
  }

  const poolWorkers = pool.stats().workers;
  pool.close();
  return { hardwareConcurrency: navigator.hardwareConcurrency, poolWorkers, poolBackend, backendMain: backend.backend, perSecond, singleRoundTripUs, allAgreed };
}

declare global {
  interface Window {
    runVerifyBench: typeof runVerifyBench;
  }
}

window.runVerifyBench = runVerifyBench;
