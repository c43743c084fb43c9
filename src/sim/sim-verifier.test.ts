import { describe, expect, it } from 'vitest';
import { txVerifyItem, signTx } from '../core/tx.ts';
import type { VerifyItem } from '../core/types.ts';
import type { Ed25519Verifier } from '../crypto/ed25519.ts';
import { createPrng } from './prng.ts';
import { nextSimSigner } from './sim-identity.ts';
import { createSimVerifier } from './sim-verifier.ts';

async function signedItem(seed = 1): Promise<VerifyItem> {
  const prng = createPrng(seed);
  const [alice, bob] = [nextSimSigner(prng), nextSimSigner(prng)];
  const tx = await signTx('test-sim', { from: alice.peerId, to: bob.peerId, amount: 5, fee: 1, nonce: 0 }, alice);
  return txVerifyItem('test-sim', tx);
}

/** A backend whose answers land only when the test says, in any order. */
function manualBackend() {
  const waiting: { item: VerifyItem; answer(valid: boolean): void }[] = [];
  const backend: Ed25519Verifier = {
    backend: 'noble',
    verify: (item) => new Promise<boolean>((answer) => waiting.push({ item, answer })),
  };
  return { backend, waiting };
}

describe('simulated verifier', () => {
  it('verifies one signature once however many nodes ask, with real Ed25519', async () => {
    const verifier = await createSimVerifier();
    const item = await signedItem();
    const first = verifier.verify([item]);
    await verifier.flush();
    expect(await first).toEqual([true]);
    for (let i = 0; i < 999; i++) expect(await verifier.verify([item])).toEqual([true]);
    expect(verifier.stats()).toEqual({ requests: 1_000, items: 1_000, realVerifies: 1, cacheHits: 999 });
  });

  it('rejects a tampered message or a signature copied onto another message', async () => {
    const verifier = await createSimVerifier();
    const item = await signedItem();
    const other = await signedItem(2);
    const tampered = { ...item, message: item.message.map((byte, i) => (i === 20 ? byte ^ 1 : byte)) };
    const copied = { ...other, signature: item.signature };
    const answers = verifier.verify([item, tampered, copied]);
    await verifier.flush();
    expect(await answers).toEqual([true, false, false]);
    expect(verifier.stats().realVerifies).toBe(3);
  });

  it('resolves waiting requests in request order, whatever order the real answers land in', async () => {
    const { backend, waiting } = manualBackend();
    const verifier = await createSimVerifier(backend);
    const [x, y] = [await signedItem(1), await signedItem(2)];
    const order: string[] = [];
    void verifier.verify([x]).then(() => order.push('x'));
    void verifier.verify([y]).then(() => order.push('y'));
    void verifier.verify([x]).then(() => order.push('x again')); // shares x's pending verification
    const flushed = verifier.flush();
    expect(flushed).toBeDefined();
    waiting[1]!.answer(true); // y lands first
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(order).toEqual([]); // nothing is released before every answer is in
    waiting[0]!.answer(false);
    await flushed;
    await Promise.resolve();
    expect(order).toEqual(['x', 'y', 'x again']);
    expect(waiting).toHaveLength(2);
    expect(verifier.flush()).toBeUndefined();
    expect(await verifier.verify([x])).toEqual([false]); // cached, resolved at once
  });
});
