// The real ledger (src/core/ledger/ledger.ts) over both LedgerStores: what
// issue 3 "Persistence" asks of them end to end. A reload restores the tip
// and balances without re-downloading, and damaged stored balances are
// detected and rebuilt from the stored blocks (never silently wrong).
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { blockHash } from '../core/ledger/block.ts';
import { createLedger, type Ledger } from '../core/ledger/ledger.ts';
import { fakeClock, mineChild, recordingLogger, type RecordingLogger } from '../core/ledger/testing.ts';
import type { Block, BlockHeader } from '../core/ledger/types.ts';
import { signTx } from '../core/tx.ts';
import type { Logger } from '../core/types.ts';
import { ledgerDbName, openIdbLedgerStore } from './idb-ledger-store.ts';
import type { LedgerStore } from './ledger-store.ts';
import { createMemoryLedgerStore } from './memory-ledger-store.ts';

const NETWORK = 'test-persist';
const DB = ledgerDbName(NETWORK, 'ab'.repeat(32));
const quiet: Logger = { info: () => undefined, warn: () => undefined };

function startLedger(store: LedgerStore, log: RecordingLogger = recordingLogger()): Promise<Ledger> {
  return createLedger({ store, verifier: nodeVerifier, clock: fakeClock(), log }, { network: NETWORK });
}

/** Mines `count` blocks on `parent` by `miner`, offering each to `ledger`; returns the last. */
async function extend(ledger: Ledger, parent: { hash: string; header: BlockHeader }, count: number, miner: string, txsAt: (i: number) => Promise<Block['txs']>, skewMs: number) {
  let tip = parent;
  for (let i = 0; i < count; i++) {
    const block = mineChild(tip, miner, await txsAt(i), tip.header.timeMs + 1_000 + skewMs);
    const accepted = await ledger.acceptBlock(block);
    expect(accepted.ok, JSON.stringify(accepted)).toBe(true);
    tip = { hash: blockHash(block.header), header: block.header };
  }
  return tip;
}

/** Three blocks with one payment, then a five-block branch from genesis that wins: one reorg. */
async function mineAndReorg(ledger: Ledger) {
  const [alice, bob] = await Promise.all([testSigner(1), testSigner(2)]);
  const genesis = { hash: ledger.genesisHash, header: (await ledger.getBlock(ledger.genesisHash))!.header };
  const pay = () => signTx(NETWORK, { from: alice.peerId, to: bob.peerId, amount: 5, fee: 1, nonce: 0 }, alice);
  await extend(ledger, genesis, 3, alice.peerId, async (i) => (i === 2 ? [await pay()] : []), 0);
  expect(ledger.tip().height).toBe(3);
  const branch = await extend(ledger, genesis, 5, bob.peerId, async () => [], 7);
  expect(ledger.tip().hash).toBe(branch.hash);
  return branch;
}

const sorted = (ledger: Ledger) => [...ledger.accounts()].sort(([a], [b]) => (a < b ? -1 : 1));

describe('the ledger over a LedgerStore', () => {
  it('memory: mines, reorgs, and the stored state follows the tip', async () => {
    const store = createMemoryLedgerStore();
    const log = recordingLogger();
    const ledger = await startLedger(store, log);
    const tip = await mineAndReorg(ledger);
    expect(await store.loadState()).toEqual({ tip: expect.objectContaining({ hash: tip.hash, height: 5 }), accounts: sorted(ledger) });
    expect(log.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('IndexedDB: a reload restores the tip and balances without re-downloading', async () => {
    const indexedDB = new IDBFactory();
    const first = await openIdbLedgerStore(DB, { indexedDB, log: quiet });
    const ledger = await startLedger(first);
    const tip = await mineAndReorg(ledger);
    const balances = sorted(ledger);
    first.close();

    const second = await openIdbLedgerStore(DB, { indexedDB, log: quiet });
    const reloaded = await startLedger(second);
    expect(reloaded.rebuilt).toBe(false);
    expect(reloaded.tip().hash).toBe(tip.hash);
    expect(sorted(reloaded)).toEqual(balances);
    second.close();
  });

  it('IndexedDB: damaged stored balances are detected and rebuilt from the stored blocks', async () => {
    const indexedDB = new IDBFactory();
    const first = await openIdbLedgerStore(DB, { indexedDB, log: quiet });
    const ledger = await startLedger(first);
    const tip = await mineAndReorg(ledger);
    const balances = sorted(ledger);
    first.close();
    // Damage on disk: one coin more in some account.
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(DB);
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const db = request.result;
        const tx = db.transaction('accounts', 'readwrite');
        const cursor = tx.objectStore('accounts').openCursor();
        cursor.onsuccess = () => void cursor.result?.update({ ...cursor.result.value, balance: cursor.result.value.balance + 1 });
        tx.oncomplete = () => {
          db.close();
          resolve();
        };
      };
    });

    const second = await openIdbLedgerStore(DB, { indexedDB, log: quiet });
    const rebuilt = await startLedger(second);
    expect(rebuilt.rebuilt).toBe(true);
    expect(rebuilt.rebuildReason).toMatch(/sum to/);
    expect(rebuilt.tip().hash).toBe(tip.hash);
    expect(sorted(rebuilt)).toEqual(balances);
    expect((await second.loadState())!.accounts).toEqual(balances);
    second.close();
  });
});
