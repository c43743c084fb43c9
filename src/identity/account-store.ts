/**
 * An account's key and stamp, in its own database `tabmesh:<network>:<id>`
 * (beside its ledger), and the databases themselves: created for a new or
 * imported account, found for adoption, deleted with the account.
 */
import { isHexOfLength, toHex } from '../core/bytes.ts';
import type { PeerId } from '../core/types.ts';
import { ledgerDbName, openIdbLedgerStore } from '../storage/idb-ledger-store.ts';
import { isKeyMaterial, type KeyMaterial } from './key-material.ts';

/** The meta key of the account's key (a KeyMaterial record). */
export const KEY_META = 'identity-key';
/** The key's stamp (a number), beside the key: a reload reads it instead of minting again. */
export const STAMP_META = 'identity-stamp';

export interface StoredAccountKey {
  key: KeyMaterial;
  stamp: unknown;
}

/** Creates the account's database holding `key` (and its stamp, when known). */
export async function createAccountDb(network: string, key: KeyMaterial, stamp?: number, factory?: IDBFactory): Promise<PeerId> {
  const id = toHex(key.publicKey);
  const store = await openIdbLedgerStore(ledgerDbName(network, id), { owner: id, indexedDB: factory });
  try {
    await store.putMeta(KEY_META, key);
    if (stamp !== undefined) await store.putMeta(STAMP_META, stamp);
  } finally {
    store.close();
  }
  return id;
}

/** The account's stored key and stamp; undefined when its database has no readable key. */
export async function readAccountKey(network: string, id: PeerId, factory?: IDBFactory): Promise<StoredAccountKey | undefined> {
  const store = await openIdbLedgerStore(ledgerDbName(network, id), { owner: id, indexedDB: factory });
  try {
    const key = await store.getMeta(KEY_META);
    return isKeyMaterial(key) && toHex(key.publicKey) === id ? { key, stamp: await store.getMeta(STAMP_META) } : undefined;
  } finally {
    store.close();
  }
}

/** Whether the account's database exists (indexedDB.databases(); true where the browser cannot say). */
export async function accountDbExists(network: string, id: PeerId, factory: IDBFactory = globalThis.indexedDB): Promise<boolean> {
  if (typeof factory.databases !== 'function') return true;
  const name = ledgerDbName(network, id);
  return (await factory.databases()).some((info) => info.name === name);
}

/**
 * The ids of every account database of `network` (`tabmesh:<network>:<64 hex>`),
 * including those made before the registry existed. Empty where the browser
 * has no indexedDB.databases() (Firefox before 126).
 */
export async function listAccountDbs(network: string, factory: IDBFactory = globalThis.indexedDB): Promise<PeerId[]> {
  if (typeof factory?.databases !== 'function') return [];
  const prefix = `tabmesh:${network}:`;
  return (await factory.databases()).flatMap(({ name }) => {
    const id = name?.startsWith(prefix) ? name.slice(prefix.length) : '';
    return isHexOfLength(id, 32) ? [id] : [];
  });
}

/**
 * Deletes the account's database. The caller holds the account's lock, so
 * no tab has it open; `blocked` (a connection left open) is reported, not
 * waited for forever.
 */
export function deleteAccountDb(network: string, id: PeerId, factory: IDBFactory = globalThis.indexedDB): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(ledgerDbName(network, id));
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(`could not delete the database of ${id}`));
    request.onblocked = () => reject(new Error(`the database of ${id} is still open somewhere; close that tab and try again`));
  });
}
