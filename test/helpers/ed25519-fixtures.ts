/**
 * Test fixture: both Ed25519 backends side by side, for the tests that check
 * they give the same answer (ed25519.test.ts, ed25519-edge.test.ts).
 */
import { beforeAll } from 'vitest';
import type { VerifyItem } from '../../src/core/types.ts';
import { createNobleEd25519Verifier, createWebCryptoEd25519Verifier, type Ed25519Verifier } from '../../src/crypto/ed25519.ts';

/** Creates both verifiers before the file's tests run; `both(item)` answers as [noble, webcrypto]. */
export function bothBackends(): { both(item: VerifyItem): Promise<[boolean, boolean]> } {
  let noble: Ed25519Verifier;
  let webcrypto: Ed25519Verifier;
  beforeAll(async () => {
    noble = createNobleEd25519Verifier();
    webcrypto = await createWebCryptoEd25519Verifier(globalThis.crypto.subtle);
  });
  return {
    async both(item) {
      return [await noble.verify(item), await webcrypto.verify(item)];
    },
  };
}
