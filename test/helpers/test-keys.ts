/**
 * Deterministic Ed25519 signers and an in-process verifier for Node tests.
 * Seeds are fixed so golden vectors and failures replay exactly.
 */
import * as ed from '@noble/ed25519';
import { fromHex, toHex } from '../../src/core/bytes.ts';
import { identityStampHash, leadingZeroBits, mintIdentityStamp } from '../../src/core/identity-stamp.ts';
import { MAIN_PARAMS } from '../../src/core/ledger/params.ts';
import type { Signer, Verifier } from '../../src/core/types.ts';
import { TEST_STAMPS } from './test-stamps.ts';

/** Stamps minted in this process for keys the table lacks, by `seed/bits`. */
const minted = new Map<string, number>();

/**
 * The identity stamp of testSigner(seedByte): from the table (minted at
 * main's 20 bits, so it serves every network) when present, otherwise minted
 * once per process at `stampBits` with the core's searcher: this module also
 * runs in the browser (the store contract's fixtures), where node:crypto
 * does not exist.
 */
export function testStamp(seedByte: number, publicKey: Uint8Array, stampBits: number = MAIN_PARAMS.identityStampBits): number {
  const listed = TEST_STAMPS[seedByte];
  if (listed !== undefined && stampBits <= MAIN_PARAMS.identityStampBits) return listed;
  const key = `${seedByte}/${stampBits}`;
  let stamp = minted.get(key);
  if (stamp === undefined) minted.set(key, (stamp = mintIdentityStamp(publicKey, stampBits)));
  return stamp;
}

/** A signer whose 32-byte secret key is `seedByte` repeated, with a stamp good for main (and so for every network). */
export async function testSigner(seedByte: number): Promise<Signer & { secretKey: Uint8Array }> {
  const secretKey = new Uint8Array(32).fill(seedByte);
  const publicKey = await ed.getPublicKeyAsync(secretKey);
  const identityStamp = testStamp(seedByte, publicKey);
  return { peerId: toHex(publicKey), publicKey, identityStamp, secretKey, sign: (message) => ed.signAsync(message, secretKey) };
}

/** The least nonce whose stamp for `peerId` has at least `min` and fewer than `max` bits of work: a stamp short of a difficulty, for refusal tests. */
export function nonceWithWork(peerId: string, min: number, max: number): number {
  const key = fromHex(peerId)!;
  for (let nonce = 0; ; nonce++) {
    const zeros = leadingZeroBits(identityStampHash(key, nonce));
    if (zeros >= min && zeros < max) return nonce;
  }
}

/** Verifies on the calling thread with noble; tests only (the browser verifies in workers). */
export const nodeVerifier: Verifier & { calls: number } = {
  calls: 0,
  async verify(items) {
    nodeVerifier.calls += items.length;
    return Promise.all(items.map((item) => ed.verifyAsync(item.signature, item.message, item.publicKey, { zip215: false }).catch(() => false)));
  },
};
