/**
 * Finds or creates this tab's identity and opens its ledger database
 * (`tabmesh:<network>:<peerId>`), in which the key itself is stored, with its
 * identity stamp (docs/PROTOCOL.md, "Identity stamp").
 */
import { toHex } from '../core/bytes.ts';
import { checkIdentityStamp } from '../core/identity-stamp.ts';
import { chainParams } from '../core/ledger/params.ts';
import type { Logger, Signer } from '../core/types.ts';
import { createSigner, generateKeyMaterial, isKeyMaterial, type KeyMaterial } from '../identity/key-material.ts';
import { claimPreviousIdentity, lockIdentity, rememberIdentity } from '../identity/tab-identity.ts';
import { ledgerDbName, openIdbLedgerStore } from '../storage/idb-ledger-store.ts';
import type { LedgerStore } from '../storage/ledger-store.ts';
import { mintStampInWorker } from '../worker/stamp-minter.ts';

const KEY_META = 'identity-key';
/** The key's stamp (a number), beside the key: a reload reads it instead of minting again. */
const STAMP_META = 'identity-stamp';

export interface OpenedIdentity {
  signer: Signer;
  store: LedgerStore;
  /** True when this tab was a duplicate of an open tab and so took a fresh identity. */
  clashed: boolean;
  /** True when the identity was restored from a previous load of this tab. */
  restored: boolean;
}

/**
 * The stored stamp of `key` when it meets `network`'s difficulty, otherwise
 * one minted in a worker (~1 s on main) and stored: a new identity, one kept
 * from before stamps, or a network that asks more work than it was minted for.
 */
async function stampFor(key: KeyMaterial, store: LedgerStore, network: string, log: Logger): Promise<number> {
  const bits = chainParams(network).identityStampBits;
  const stored = await store.getMeta(STAMP_META);
  if (checkIdentityStamp(toHex(key.publicKey), stored, bits).ok) return stored as number;
  const started = performance.now();
  const { nonce, hashes } = await mintStampInWorker(key.publicKey, bits);
  await store.putMeta(STAMP_META, nonce);
  log.info('minted an identity stamp', { bits, hashes, ms: Math.round(performance.now() - started) });
  return nonce;
}

export async function openIdentity(network: string, log: Logger): Promise<OpenedIdentity> {
  const claim = await claimPreviousIdentity(network);
  if (claim.clashed) log.warn('another open tab already uses this identity (duplicated tab); taking a fresh one');
  if (claim.previousId) {
    const store = await openIdbLedgerStore(ledgerDbName(network, claim.previousId), { owner: claim.previousId });
    const key = await store.getMeta(KEY_META);
    if (isKeyMaterial(key)) return { signer: createSigner(key, await stampFor(key, store, network, log)), store, clashed: false, restored: true };
    store.close();
    log.warn('this tab\'s stored key is missing or unreadable; taking a fresh identity', { peerId: claim.previousId });
  }
  const key = await generateKeyMaterial();
  const peerId = toHex(key.publicKey);
  if (!(await lockIdentity(network, peerId, 0))) throw new Error('a freshly generated identity is locked by another tab; this should be impossible');
  const store = await openIdbLedgerStore(ledgerDbName(network, peerId), { owner: peerId });
  await store.putMeta(KEY_META, key);
  const signer = createSigner(key, await stampFor(key, store, network, log));
  rememberIdentity(network, signer.peerId);
  log.info(`new identity (${key.kind === 'webcrypto' ? 'non-extractable WebCrypto key' : '@noble/ed25519 key'})`, { peerId: signer.peerId });
  return { signer, store, clashed: claim.clashed, restored: false };
}
