/**
 * One core's raw Ed25519 verification rate in Node, the limit the full
 * node's admission rate is judged against (docs/PERFORMANCE.md, "The full node"):
 * `crypto.subtle.verify('Ed25519', …)` awaited one at a time on one thread,
 * keys imported once, messages of a transaction's signing size. Node runs
 * each WebCrypto job on libuv's thread pool; with one job in flight only one
 * of its threads works at a time, so the loop measures one core. Batches
 * awaited together would spread over the pool's threads (two cores here)
 * and measure the machine instead; that rate is reported beside it.
 */
import { webcrypto } from 'node:crypto';
import { round } from './summary.ts';

/** A transaction's signing message (src/core/tx.ts): `tabmesh/tx/v1` (13), the network name as str8 (the bench's are 25-33 bytes) and the 89-byte body. */
const MESSAGE_BYTES = 128;
/** Distinct signers, as a node sees many senders (WebCrypto keys are imported once each, not per item). */
const KEYS = 64;
const ITEMS = 512;

export interface RawVerifyRate {
  /** Median over rounds of verifications a second, one awaited at a time. */
  perSecond: number;
  /** Median over rounds with all items of a round awaited together (libuv's thread pool, every core). */
  batchedPerSecond: number;
  rounds: number[];
  batchedRounds: number[];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

interface Item {
  key: webcrypto.CryptoKey;
  message: Uint8Array;
  signature: Uint8Array;
}

async function makeItems(): Promise<Item[]> {
  const { subtle } = webcrypto;
  const keys = await Promise.all(Array.from({ length: KEYS }, () => subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>));
  const items: Item[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const pair = keys[i % KEYS]!;
    const message = webcrypto.getRandomValues(new Uint8Array(MESSAGE_BYTES));
    const signature = new Uint8Array(await subtle.sign('Ed25519', pair.privateKey, message));
    items.push({ key: pair.publicKey, message, signature });
  }
  return items;
}

/** Verifies the items for at least `ms`, one at a time or a whole pass at once; returns verifications a second. */
async function loop(items: Item[], ms: number, batched: boolean): Promise<number> {
  const { subtle } = webcrypto;
  const started = performance.now();
  let done = 0;
  while (performance.now() - started < ms) {
    if (batched) {
      const verdicts = await Promise.all(items.map((item) => subtle.verify('Ed25519', item.key, item.signature, item.message)));
      if (verdicts.some((ok) => !ok)) throw new Error('raw verify: a valid signature did not verify');
    } else {
      for (const item of items) {
        if (!(await subtle.verify('Ed25519', item.key, item.signature, item.message))) throw new Error('raw verify: a valid signature did not verify');
      }
    }
    done += items.length;
  }
  return done / ((performance.now() - started) / 1000);
}

/** `rounds` rounds of `roundMs` each way, interleaved; medians. */
export async function measureRawVerify(rounds: number, roundMs: number): Promise<RawVerifyRate> {
  const items = await makeItems();
  await loop(items, 100, false); // warm up: key caches and the JIT
  const one: number[] = [];
  const batch: number[] = [];
  for (let r = 0; r < rounds; r++) {
    one.push(Math.round(await loop(items, roundMs, false)));
    batch.push(Math.round(await loop(items, roundMs, true)));
  }
  return { perSecond: Math.round(median(one)), batchedPerSecond: Math.round(median(batch)), rounds: one, batchedRounds: batch };
}

/** `value / limit`, to two decimals. */
export const ratio = (value: number, limit: number): number => round(value / limit, 2);
