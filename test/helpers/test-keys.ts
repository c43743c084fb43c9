/**
 * Deterministic Ed25519 signers and an in-process verifier for Node tests.
 * Seeds are fixed so golden vectors and failures replay exactly.
 */
import * as ed from '@noble/ed25519';
import { toHex } from '../../src/core/bytes.ts';
import type { Signer, Verifier } from '../../src/core/types.ts';

/** A signer whose 32-byte secret key is `seedByte` repeated. */
export async function testSigner(seedByte: number): Promise<Signer & { secretKey: Uint8Array }> {
  const secretKey = new Uint8Array(32).fill(seedByte);
  const publicKey = await ed.getPublicKeyAsync(secretKey);
  return { peerId: toHex(publicKey), publicKey, secretKey, sign: (message) => ed.signAsync(message, secretKey) };
}

/** Verifies on the calling thread with noble; tests only (the browser verifies in workers). */
export const nodeVerifier: Verifier & { calls: number } = {
  calls: 0,
  async verify(items) {
    nodeVerifier.calls += items.length;
    return Promise.all(items.map((item) => ed.verifyAsync(item.signature, item.message, item.publicKey, { zip215: false }).catch(() => false)));
  },
};
