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
  /** The account whose database this is (the part of its name after `tabmesh:<network>:`). */
  id: string;
  /** The stored tip record's height and hash. */
  height: number;
  hash: string;
  /** What is wrong with the stored chain, if anything; undefined when whole. */
  problem?: string;
}

/**
 * On `page` (any same-origin document that does not start the app), finds
 * the one account database of `network` and walks its stored tip back to
 * genesis: each header present at the height it should have, with its
 * block and undo data (every block on the best chain has both, genesis
 * included: chain-commits.ts writes them in the block's one transaction).
 * Throws when the profile holds no account database, or several.
 */
export async function readStoredChain(page: Page, network: string): Promise<StoredChain> {
  const found = await page.evaluate(async (prefix) => {
    const names = (await indexedDB.databases()).flatMap((info) => (info.name?.startsWith(prefix) ? [info.name] : []));
    if (names.length !== 1) return { error: `the profile holds ${names.length} account databases for the network: ${names.join(', ')}` };
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(names[0]!);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      // One read-only transaction: a snapshot of the stores as the crash left them.
      const tx = db.transaction(['chain', 'headers', 'blocks', 'undo'], 'readonly');
      const get = (store: string, key: string) =>
        new Promise<unknown>((resolve, reject) => {
          const request = tx.objectStore(store).get(key);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      const id = names[0]!.slice(prefix.length);
      const tip = (await get('chain', 'tip')) as { hash: string; height: number } | undefined;
      if (!tip) return { id, height: -1, hash: '', problem: 'no tip record' };
      let hash = tip.hash;
      for (let height = tip.height; height >= 0; height--) {
        const header = (await get('headers', hash)) as { height: number; prevHash: string } | undefined;
        const at = `block ${hash.slice(0, 12)} at height ${height}`;
        if (!header) return { id, ...tip, problem: `${at}: header missing` };
        if (header.height !== height) return { id, ...tip, problem: `${at}: header says height ${header.height}` };
        if (!(await get('blocks', hash))) return { id, ...tip, problem: `${at}: block body missing` };
        if (!(await get('undo', hash))) return { id, ...tip, problem: `${at}: undo data missing` };
        hash = header.prevHash;
      }
      return { id, height: tip.height, hash: tip.hash };
    } finally {
      db.close();
    }
  }, `tabmesh:${network}:`);
  if ('error' in found) throw new Error(found.error);
  return found;
}
