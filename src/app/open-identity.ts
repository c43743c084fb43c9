/**
 * Finds or creates this tab's identity and opens its ledger database
 * (`tabmesh:<network>:<peerId>`), in which the key itself is stored.
 */
import type { Logger, Signer } from '../core/types.ts';
import { createSigner, generateKeyMaterial, isKeyMaterial } from '../identity/key-material.ts';
import { claimPreviousIdentity, lockIdentity, rememberIdentity } from '../identity/tab-identity.ts';
import { ledgerDbName, openIdbLedgerStore } from '../storage/idb-ledger-store.ts';
import type { LedgerStore } from '../storage/ledger-store.ts';

const KEY_META = 'identity-key';

export interface OpenedIdentity {
  signer: Signer;
  store: LedgerStore;
  /** True when this tab was a duplicate of an open tab and so took a fresh identity. */
  clashed: boolean;
  /** True when the identity was restored from a previous load of this tab. */
  restored: boolean;
}

export async function openIdentity(network: string, log: Logger): Promise<OpenedIdentity> {
  const claim = await claimPreviousIdentity(network);
  if (claim.clashed) log.warn('another open tab already uses this identity (duplicated tab); taking a fresh one');
  if (claim.previousId) {
    const store = await openIdbLedgerStore(ledgerDbName(network, claim.previousId), { owner: claim.previousId });
    const key = await store.getMeta(KEY_META);
    if (isKeyMaterial(key)) return { signer: createSigner(key), store, clashed: false, restored: true };
    store.close();
    log.warn('this tab\'s stored key is missing or unreadable; taking a fresh identity', { peerId: claim.previousId });
  }
  const key = await generateKeyMaterial();
  const signer = createSigner(key);
  if (!(await lockIdentity(network, signer.peerId, 0))) throw new Error('a freshly generated identity is locked by another tab; this should be impossible');
  const store = await openIdbLedgerStore(ledgerDbName(network, signer.peerId), { owner: signer.peerId });
  await store.putMeta(KEY_META, key);
  rememberIdentity(network, signer.peerId);
  log.info(`new identity (${key.kind === 'webcrypto' ? 'non-extractable WebCrypto key' : '@noble/ed25519 key'})`, { peerId: signer.peerId });
  return { signer, store, clashed: claim.clashed, restored: false };
}
