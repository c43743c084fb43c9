import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/core/bytes.ts';
import { checkIdentityStamp } from '../../src/core/identity-stamp.ts';
import { MAIN_PARAMS } from '../../src/core/ledger/params.ts';
import { testSigner } from './test-keys.ts';
import { TEST_STAMPS } from './test-stamps.ts';

describe('test identities', () => {
  it('lists a stamp for every one-byte seed, each meeting main\'s difficulty', async () => {
    expect(TEST_STAMPS).toHaveLength(256);
    for (let seed = 0; seed < 256; seed++) {
      const publicKey = await ed.getPublicKeyAsync(new Uint8Array(32).fill(seed));
      expect(checkIdentityStamp(toHex(publicKey), TEST_STAMPS[seed], MAIN_PARAMS.identityStampBits), `seed ${seed}`).toMatchObject({ ok: true });
    }
  });

  it('gives testSigner the listed stamp', async () => {
    const signer = await testSigner(7);
    expect(signer.identityStamp).toBe(TEST_STAMPS[7]);
    expect(checkIdentityStamp(signer.peerId, signer.identityStamp, MAIN_PARAMS.identityStampBits).ok).toBe(true);
  });
});
