/**
 * Reads a tab's stored chain straight from IndexedDB, before the app opens
 * it (e2e/crash-safety.spec.ts): which account databases the profile holds
 * for a network, and whether the stored tip's chain is whole.
 *
 * The app's own load check (docs/PROTOCOL.md, "Storage integrity") would
 * repair a damaged state by replaying stored blocks and say so on the page;
 * this reads the records as the crash left them, so a test can tell "whole
 * after the crash" from "repaired after the crash".
 */
import type { Page } from '@playwright/test';

export interface StoredChain {
  /** The account whose database this is (its name is `tabmesh:<network>:<id>`). */
  id: string;
  /** The stored tip record's height and hash. */
  height: number;
  hash: string;
  /** What is wrong with the stored chain, if anything; undefined when whole. */
  problem?: string;
}

/**
 * On `page` (any same-origin document that does not start the app), finds
 * account `id`'s database of `network` and walks its stored tip back to
 * genesis: each header present at the height it should have, with its
 * block and undo data (every block on the best chain has both, genesis
 * included: chain-commits.ts writes them in the block's one transaction).
 * Throws when the profile has no database for the account; returns
 * BrowserWiped when Chromium could not open its IndexedDB and deleted it.
 */
export async function readStoredChain(page: Page, network: string, id: string): Promise<StoredChain | BrowserWiped> {
  const prefix = `tabmesh:${network}:`;
  const found = await page.evaluate(async ({ prefix, id }): Promise<StoredChain | { error: string } | { unopenable: string }> => {
    let db: IDBDatabase;
    try {
      // Listed first: open() would create a database that is missing.
      const names = (await indexedDB.databases()).flatMap((info) => (info.name?.startsWith(prefix) ? [info.name] : []));
      if (!names.includes(prefix + id)) return { error: `the profile has no database for account ${id.slice(0, 8)} (it has: ${names.join(', ') || 'none'})` };
      db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(prefix + id);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    } catch (error) {
      return { unopenable: String(error) };
    }
    try {
      // One read-only transaction: a snapshot of the stores as the crash left them.
      const tx = db.transaction(['chain', 'headers', 'blocks', 'undo'], 'readonly');
      const get = (store: string, key: string) =>
        new Promise<unknown>((resolve, reject) => {
          const request = tx.objectStore(store).get(key);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      const tip = (await get('chain', 'tip')) as { hash: string; height: number } | undefined;
      if (!tip) return { id, height: -1, hash: '', problem: 'no tip record' };
      const at = (problem: string) => ({ id, height: tip.height, hash: tip.hash, problem });
      let hash = tip.hash;
      for (let height = tip.height; height >= 0; height--) {
        const header = (await get('headers', hash)) as { height: number; prevHash: string } | undefined;
        const where = `block ${hash.slice(0, 12)} at height ${height}`;
        if (!header) return at(`${where}: header missing`);
        if (header.height !== height) return at(`${where}: header says height ${header.height}`);
        if (!(await get('blocks', hash))) return at(`${where}: block body missing`);
        if (!(await get('undo', hash))) return at(`${where}: undo data missing`);
        hash = header.prevHash;
      }
      return { id, height: tip.height, hash: tip.hash };
    } finally {
      db.close();
    }
  }, { prefix, id });
  if ('error' in found) throw new Error(found.error);
  if ('unopenable' in found) return checkWiped(page, prefix, found.unopenable);
  return found;
}

/**
 * Chromium's IndexedDB refused to open (its message when LevelDB reports a
 * checksum mismatch in the log the killed browser left), and deleted the
 * origin's whole IndexedDB to recover (Chromium's log: "IndexedDB recovering
 * from a corrupted (and deleted) database"). Measured here: 5 of some 300
 * kills while a tab committed blocks back to back.
 */
export interface BrowserWiped {
  wipedByBrowser: string;
}

const CHROMIUM_BACKING_STORE_ERROR = /UnknownError: Internal error opening backing store/;
/** Chromium deletes the damaged store and makes a new one within about a second (measured 0.7-0.9 s). */
const WIPE_SETTLE_MS = 2_000;

/**
 * Called when the stored chain could not be opened: it is the browser's wipe
 * only if the error is Chromium's backing-store one and, once Chromium has
 * recovered, no account database of the network is left. Anything else throws.
 */
async function checkWiped(page: Page, prefix: string, message: string): Promise<BrowserWiped> {
  if (!CHROMIUM_BACKING_STORE_ERROR.test(message)) throw new Error(`the stored chain could not be opened: ${message}`);
  await page.waitForTimeout(WIPE_SETTLE_MS);
  const left = await page.evaluate(async (prefix) => (await indexedDB.databases()).filter((info) => info.name?.startsWith(prefix)).length, prefix);
  if (left !== 0) throw new Error(`Chromium refused to open IndexedDB (${message}) but ${left} account database(s) are still listed`);
  return { wipedByBrowser: message };
}
