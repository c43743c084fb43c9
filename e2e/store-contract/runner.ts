/**
 * Runs the LedgerStore contract (src/storage/ledger-store.contract.ts) in a
 * real browser, against its real IndexedDB: e2e/store-contract.spec.ts
 * bundles this module with Vite and calls runStoreContract() in a page.
 * Each case gets a database of its own: its `open` opens that database, so a
 * first call gives a fresh, empty store and a second reopens the same one.
 * After the shared cases come the browser-only ones, which need what
 * fake-indexeddb cannot give.
 */
import type { Logger } from '../../src/core/types.ts';
import { expect, storeCase, type OpenStore, type StoreContractCase } from '../../src/storage/contract-expect.ts';
import { openIdbLedgerStore } from '../../src/storage/idb-ledger-store.ts';
import { ledgerStoreContractCases } from '../../src/storage/ledger-store.contract.ts';

export interface CaseResult {
  name: string;
  ok: boolean;
  /** The failure: its name, message and the first lines of its stack. */
  error?: string;
  ms: number;
}

/** Cases that only a real browser can prove; their names start with `browser:`. */
export const BROWSER_ONLY_PREFIX = 'browser:';

/** A case that hangs (a blocked open, a transaction never done) fails instead of stalling the run. */
const CASE_TIMEOUT_MS = 10_000;

const quietLog: Logger = { info: () => undefined, warn: (message) => console.warn(message) };

function browserOnlyCases(): StoreContractCase[] {
  return [
    // The real structured clone of a CryptoKey, to disk and back on a new
    // connection: what src/identity relies on to keep a tab's key secret.
    {
      name: `${BROWSER_ONLY_PREFIX} a non-extractable Ed25519 CryptoKey survives close and reopen and still signs`,
      async run(open) {
        const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
        const first = await open();
        await first.putMeta('identity', pair);
        first.close();
        const second = await open(); // a new connection: the key comes back from disk
        try {
          const read = (await second.getMeta<CryptoKeyPair>('identity'))!;
          expect(read.privateKey).toBeInstanceOf(CryptoKey);
          expect(read.privateKey.extractable).toBe(false);
          expect(read.privateKey.algorithm.name).toBe('Ed25519');
          const exported = await crypto.subtle.exportKey('pkcs8', read.privateKey).then(
            () => 'exported',
            (error: unknown) => (error as Error).name,
          );
          expect(exported).toBe('InvalidAccessError');
          const message = Uint8Array.of(1, 2, 3);
          const signature = await crypto.subtle.sign('Ed25519', read.privateKey, message);
          expect(await crypto.subtle.verify('Ed25519', pair.publicKey, signature, message)).toBe(true);
          expect(await crypto.subtle.verify('Ed25519', read.publicKey, signature, Uint8Array.of(1, 2, 4))).toBe(false);
        } finally {
          second.close();
        }
      },
    },
    // Schema v3's upgrade step on the real engine: a version-2 database's txIndex records, read and
    // regrouped by block inside the version-change transaction, which then deletes the old store.
    {
      name: `${BROWSER_ONLY_PREFIX} a version-2 database opens at version 3 with its transaction locations moved into blockTxs`,
      async run() {
        const dbName = `tabmesh-contract-upgrade:${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
        const [a, b] = ['a1'.repeat(32), 'b2'.repeat(32)];
        const ids = ['01', '02', '03'].map((byte) => byte.repeat(32));
        const v2 = await rawOpen(dbName, 2, (db) => {
          const txs = db.createObjectStore('txs', { keyPath: 'id' });
          txs.createIndex('byReceivedAt', 'receivedAtMs');
          for (const name of ['meta', 'blocks', 'headers', 'undo', 'accounts', 'chain', 'txIndex']) db.createObjectStore(name);
        });
        const write = v2.transaction('txIndex', 'readwrite');
        write.objectStore('txIndex').put({ blockHash: a, height: 1 }, ids[0]!);
        write.objectStore('txIndex').put({ blockHash: a, height: 1 }, ids[1]!);
        write.objectStore('txIndex').put({ blockHash: b, height: 2 }, ids[2]!);
        await new Promise<void>((resolve, reject) => {
          write.oncomplete = () => resolve();
          write.onerror = () => reject(write.error);
        });
        v2.close();

        const store = await openIdbLedgerStore(dbName, { log: quietLog });
        try {
          expect(await store.getTxLocation(ids[0]!)).toEqual({ blockHash: a, height: 1 });
          expect(await store.getTxLocation(ids[1]!)).toEqual({ blockHash: a, height: 1 });
          expect(await store.getTxLocation(ids[2]!)).toEqual({ blockHash: b, height: 2 });
          expect(await store.getTxLocation('04'.repeat(32))).toBeUndefined();
        } finally {
          store.close();
        }
        const v3 = await rawOpen(dbName);
        try {
          expect(v3.version).toBe(3);
          expect([...v3.objectStoreNames].includes('txIndex')).toBe(false);
          const blockTxs = v3.transaction('blockTxs').objectStore('blockTxs');
          expect(await requestResult(blockTxs.count())).toBe(2);
          expect(await requestResult(blockTxs.index('byTxId').count())).toBe(3);
        } finally {
          v3.close();
          indexedDB.deleteDatabase(dbName);
        }
      },
    },
    // The guard against a runner that passes by running nothing: a failing assertion must fail here too.
    storeCase(`${BROWSER_ONLY_PREFIX} the assertions can fail`, async (store) => {
      await store.putMeta('n', 1);
      const threw = await Promise.resolve()
        .then(async () => expect(await store.getMeta('n')).toEqual(2))
        .then(
          () => false,
          (error: unknown) => error instanceof Error && error.name === 'ContractAssertionError',
        );
      expect(threw).toBe(true);
    }),
  ];
}

/** Opens `name` on the page's own IndexedDB, running `upgrade` if it is created or older than `version`. */
function rawOpen(name: string, version?: number, upgrade?: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`could not open ${name}`));
  });
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('request failed'));
  });
}

async function runOne(contractCase: StoreContractCase, dbName: string): Promise<CaseResult> {
  const open: OpenStore = (init) => openIdbLedgerStore(dbName, { ...init, log: quietLog });
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
  });
  try {
    await Promise.race([contractCase.run(open), timeout]);
    return { name: contractCase.name, ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}\n${(error.stack ?? '').split('\n').slice(1, 6).join('\n')}` : String(error);
    return { name: contractCase.name, ok: false, error: text, ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every contract case, then the browser-only ones, one after another, each on a new database. */
export async function runStoreContract(): Promise<CaseResult[]> {
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const cases = [...ledgerStoreContractCases(), ...browserOnlyCases()];
  const results: CaseResult[] = [];
  for (const [i, contractCase] of cases.entries()) results.push(await runOne(contractCase, `tabmesh-contract:${run}:${i}`));
  return results;
}
