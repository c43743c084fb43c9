/**
 * Finds or creates this tab's account and opens its ledger database
 * (`tabmesh:<network>:<peerId>`), in which the key itself is stored, with its
 * identity stamp (docs/PROTOCOL.md, "Identity stamp"; docs/ARCHITECTURE.md,
 * "Identity").
 *
 * In order: the account this tab pointed at (a reload, or a switch), unless
 * another tab holds it; else the most recently used account no tab holds;
 * else a new one. Databases from before the account registry are adopted
 * into it first, so their coins are not stranded.
 */
import { toHex } from '../core/bytes.ts';
import { checkIdentityStamp } from '../core/identity-stamp.ts';
import { chainParams } from '../core/ledger/params.ts';
import type { Clock, Logger, PeerId, Signer } from '../core/types.ts';
import { createAccountRegistry, createMemoryStorage, type AccountRegistry, type RegistryStorage } from '../identity/account-registry.ts';
import { createAccountDb, KEY_META, listAccountDbs, STAMP_META } from '../identity/account-store.ts';
import { canBackUp, createSigner, generateKeyMaterial, isKeyMaterial, type KeyMaterial } from '../identity/key-material.ts';
import { claimPreviousIdentity, lockIdentity, rememberIdentity, type AccountLock } from '../identity/tab-identity.ts';
import { ledgerDbName, openIdbLedgerStore } from '../storage/idb-ledger-store.ts';
import type { LedgerStore } from '../storage/ledger-store.ts';
import { mintStampInWorker } from '../worker/stamp-minter.ts';

export interface OpenedIdentity {
  signer: Signer;
  store: LedgerStore;
  /** True when this tab was a duplicate of an open tab and so took another account. */
  clashed: boolean;
  /** True when the account was restored from a previous load of this tab. */
  restored: boolean;
  /** False for a key made before backups existed (key-material.ts): it cannot be exported. */
  canBackUp: boolean;
}

const wallClock: Clock = { nowMs: () => Date.now() };

/** localStorage, or where the browser blocks it (SecurityError), a list that lasts this page load. */
function registryStorage(): RegistryStorage {
  try {
    if (globalThis.localStorage) return globalThis.localStorage;
  } catch (error) {
    if (!(error instanceof DOMException)) throw error;
  }
  return createMemoryStorage();
}

/** The registry of `network`'s accounts in this browser (localStorage; account-registry.ts). */
export function accountRegistry(network: string): AccountRegistry {
  return createAccountRegistry({ storage: registryStorage(), clock: wallClock }, { network });
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

/** Opens an account whose lock this tab holds; undefined (store closed) when its key is missing or unreadable. */
async function openAccount(network: string, id: PeerId, log: Logger): Promise<Omit<OpenedIdentity, 'clashed' | 'restored'> | undefined> {
  const store = await openIdbLedgerStore(ledgerDbName(network, id), { owner: id });
  const key = await store.getMeta(KEY_META);
  if (isKeyMaterial(key) && toHex(key.publicKey) === id) {
    return { signer: createSigner(key, await stampFor(key, store, network, log)), store, canBackUp: canBackUp(key) };
  }
  store.close();
  log.warn('an account\'s stored key is missing or unreadable; skipping it', { peerId: id });
  return undefined;
}

/** Adds the account databases the registry does not list (from before it existed, or after localStorage was cleared). */
async function adoptStranded(registry: AccountRegistry, network: string, log: Logger): Promise<void> {
  const adopted = registry.adopt(await listAccountDbs(network));
  if (adopted.length > 0) log.info(`adopted ${adopted.length} account(s) found in IndexedDB`, { ids: adopted.map((id) => id.slice(0, 8)) });
}

export async function openIdentity(network: string, log: Logger): Promise<OpenedIdentity> {
  const registry = accountRegistry(network);
  await adoptStranded(registry, network, log);
  const claim = await claimPreviousIdentity(network);
  if (claim.clashed) log.warn('another open tab already uses this account (duplicated tab); taking another');
  const opened = (account: Omit<OpenedIdentity, 'clashed' | 'restored'>, restored: boolean): OpenedIdentity => {
    const id = account.signer.peerId;
    registry.add(id);
    registry.touch(id);
    // Touched again as the page goes, so the account open until then counts as the most recently used.
    globalThis.addEventListener?.('pagehide', () => {
      if (registry.get(id)) registry.touch(id); // absent only if localStorage was cleared meanwhile: adopted again next time
    });
    rememberIdentity(network, id);
    return { ...account, clashed: claim.clashed, restored };
  };

  // A pointer at an account deleted meanwhile (or never listed) is dropped rather than opened as an empty database.
  if (claim.previous && !registry.get(claim.previous.id)) claim.previous.lock.release();
  else if (claim.previous) {
    const account = await openAccount(network, claim.previous.id, log);
    if (account) return opened(account, true);
    claim.previous.lock.release();
  }
  // A new tab: the most recently used account that no other tab holds (ifAvailable: never wait for a tab that has it).
  for (const record of registry.list()) {
    if (record.id === claim.previous?.id) continue;
    const lock: AccountLock | undefined = await lockIdentity(network, record.id, 0);
    if (!lock) continue;
    // Deleted while this tab was looking (deleteAccount holds the lock until the entry is gone): opening it
    // now would only make an empty database.
    if (!registry.get(record.id)) {
      lock.release();
      continue;
    }
    const account = await openAccount(network, record.id, log);
    if (account) {
      log.info('opened an account no other tab holds', { peerId: record.id, label: record.label });
      return opened(account, false);
    }
    lock.release();
  }

  const key = await generateKeyMaterial();
  const peerId = toHex(key.publicKey);
  if (!(await lockIdentity(network, peerId, 0))) throw new Error('a freshly generated identity is locked by another tab; this should be impossible');
  await createAccountDb(network, key);
  const account = await openAccount(network, peerId, log);
  if (!account) throw new Error('the key of a freshly created account could not be read back');
  log.info(`new account (${key.kind === 'webcrypto' ? 'non-extractable WebCrypto key, seed sealed for backup' : '@noble/ed25519 key'})`, { peerId });
  return opened(account, false);
}
