/**
 * Writes test-stamps.ts: the identity stamps of testSigner(0..255) at main's
 * difficulty. Run `npx tsx test/helpers/mint-test-stamps.ts` after changing
 * the stamp's hash or main's identityStampBits (test-keys.test.ts fails then).
 * 2^28 hashes expected: a few minutes with node:crypto (key-file-stamp.ts).
 */
import { writeFileSync } from 'node:fs';
import * as ed from '@noble/ed25519';
import { mintIdentityStampNative } from '../../fullnode/key-file-stamp.ts';
import { MAIN_PARAMS } from '../../src/core/ledger/params.ts';

const stamps: number[] = [];
for (let seed = 0; seed < 256; seed++) {
  const publicKey = await ed.getPublicKeyAsync(new Uint8Array(32).fill(seed));
  stamps.push(mintIdentityStampNative(publicKey, MAIN_PARAMS.identityStampBits));
}
const rows = Array.from({ length: 16 }, (_, row) => `  ${stamps.slice(row * 16, row * 16 + 16).join(', ')},`);
writeFileSync(new URL('./test-stamps.ts', import.meta.url), `/**
 * Identity stamps of testSigner(seed) for seeds 0-255 at main's difficulty (${MAIN_PARAMS.identityStampBits}
 * bits), so fixtures need not mint (~1 M hashes each). Written by
 * \`npx tsx test/helpers/mint-test-stamps.ts\`; test-keys.test.ts checks them.
 */
export const TEST_STAMPS: readonly number[] = [
${rows.join('\n')}
];
`);
