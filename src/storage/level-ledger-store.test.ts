// The LevelDB LedgerStore: the shared contract (each case on a fresh
// directory), then what only a database on disk can show: persistence,
// settings' accepted values, damaged records, and refusals on open (another
// network, a newer schema, damaged files, a lock held by another process).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blockHash, encodeBlock } from '../core/ledger/block.ts';
import type { Account, Block } from '../core/ledger/types.ts';
import { txId, type Tx } from '../core/tx.ts';
import type { Logger, PeerId } from '../core/types.ts';
import { applyAccounts, connectCommit, makeBlock, parties, type Parties } from '../../test/helpers/chain-fixtures.ts';
import { chainStoreContractCases } from './chain-store.contract.ts';
import type { StoreOpenInit } from './contract-expect.ts';
import { ledgerStoreContractCases, sampleTx } from './ledger-store.contract.ts';
import { StorageError, type LedgerStore } from './ledger-store.ts';
import { LEVEL_SCHEMA_VERSION, openLevelLedgerStore, type LevelLedgerStore } from './level-ledger-store.ts';

const NETWORK = 'test-level';
const quietLog: Logger = { info: () => undefined, warn: () => undefined };

/** IndexedDB structured-clones a CryptoKey; the LevelDB store refuses it (level-meta-codec.ts), tested below. */
const NOT_FOR_LEVELDB = ['stores a non-extractable Ed25519 CryptoKey that can still sign'];

const dirs: string[] = [];
const opened: LevelLedgerStore[] = [];

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tabmesh-level-'));
  dirs.push(dir);
  return dir;
}

async function open(dir: string, init: StoreOpenInit & { network?: string } = {}): Promise<LevelLedgerStore> {
  const store = await openLevelLedgerStore(dir, { network: NETWORK, log: quietLog, ...init });
  opened.push(store);
  return store;
}

/** Closes `store` and waits until LevelDB has released the directory. */
async function closed(store: LevelLedgerStore): Promise<void> {
  store.close();
  await store.whenClosed();
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map(closed));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** What open() rejects with. */
async function openError(dir: string, network = NETWORK): Promise<StorageError> {
  const error = await open(dir, { network }).then(
    () => new Error('expected the open to be refused'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  return error as StorageError;
}

/** Writes raw records (full keys, `!sublevel!key`) straight into the LevelDB directory, as damage on disk would. */
async function writeRaw(dir: string, records: [string, Uint8Array | string][]): Promise<void> {
  const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.batch(records.map(([key, value]) => ({ type: 'put' as const, key, value: typeof value === 'string' ? new TextEncoder().encode(value) : value })));
  await db.close();
}

describe('LedgerStore contract: LevelDB', () => {
  const cases = ledgerStoreContractCases();

  it('covers every chain case, and leaves out only the cases listed for IndexedDB alone', () => {
    const names = cases.map((c) => c.name);
    for (const chainCase of chainStoreContractCases()) expect(names).toContain(chainCase.name);
    for (const name of NOT_FOR_LEVELDB) expect(names).toContain(name);
  });

  for (const contractCase of cases) {
    if (NOT_FOR_LEVELDB.includes(contractCase.name)) continue;
    it(contractCase.name, async () => contractCase.run(async (init) => open(await freshDir(), init)));
  }
});

let p: Parties;
let pays: Tx[];
let genesis: Block;
let a1: Block;
beforeAll(async () => {
  p = await parties();
  pays = await p.payments(0, 2);
  genesis = makeBlock(undefined, [], p.alice);
  a1 = makeBlock(genesis, pays, p.alice);
});

/** Genesis then a1, with a1's first payment in the history first. */
async function twoBlocks(store: LedgerStore): Promise<void> {
  await store.putTx({ ...sampleTx(0), id: txId(pays[0]!), receivedAtMs: 5 });
  const g: [PeerId, Account][] = [[p.alice, { balance: 100, nonce: 0 }]];
  await store.commitConnect(connectCommit(genesis, new Map(), g));
  await store.commitConnect(connectCommit(a1, applyAccounts(new Map(), g), [[p.alice, { balance: 178, nonce: 2 }], [p.bob, { balance: 20, nonce: 0 }]]));
}

/** Everything the store holds, read back through it. */
async function snapshot(store: LedgerStore) {
  const hashes = [genesis, a1].map((block) => blockHash(block.header));
  return {
    state: await store.loadState(),
    headers: await store.listHeaders(),
    blocks: await Promise.all(hashes.map((hash) => store.getBlock(hash))),
    undo: await Promise.all(hashes.map((hash) => store.getUndo(hash))),
    locations: await Promise.all(pays.map((tx) => store.getTxLocation(txId(tx)))),
    txs: await store.listRecentTxs(10),
    count: await store.countTxs(),
    meta: await store.getMeta('peers'),
  };
}

describe('openLevelLedgerStore', () => {
  it('persists the chain, the history and settings across close and reopen, reopening at once after close()', async () => {
    const dir = await freshDir();
    const first = await open(dir);
    await twoBlocks(first);
    await first.putMeta('peers', [{ id: 'ab'.repeat(32), lastSeenMs: 12, key: Uint8Array.of(1, 2) }]);
    const before = await snapshot(first);
    // Not awaiting whenClosed: an open in this process waits for the close to release the LOCK.
    first.close();
    const second = await open(dir);
    const after = await snapshot(second);
    expect(after).toEqual(before);
    expect(after.state!.tip.height).toBe(1);
    expect(after.blocks).toEqual([genesis, a1]);
    expect(after.locations).toEqual(pays.map(() => ({ blockHash: blockHash(a1.header), height: 1 })));
    expect(after.txs.map((tx) => [tx.status, tx.height])).toEqual([
      ['confirmed', 1],
      ['confirmed', 1],
    ]);
    expect(after.meta).toEqual([{ id: 'ab'.repeat(32), lastSeenMs: 12, key: Uint8Array.of(1, 2) }]);
  });

  it("refuses another network's database, naming the directory and both networks, and leaves it as it was", async () => {
    const dir = await freshDir();
    const store = await open(dir);
    await twoBlocks(store);
    const before = await snapshot(store);
    await closed(store);
    const error = await openError(dir, 'test-other');
    expect(error).toMatchObject({ kind: 'conflict', operation: 'open database' });
    expect(error.message).toContain(dir);
    expect(error.message).toMatch(/network "test-level", not "test-other"/);
    expect(await snapshot(await open(dir))).toEqual(before);
  });

  it('refuses a database written by a newer schema with kind version', async () => {
    const dir = await freshDir();
    await closed(await open(dir));
    await writeRaw(dir, [['!sys!schema', String(LEVEL_SCHEMA_VERSION + 1)]]);
    const error = await openError(dir);
    expect(error).toMatchObject({ kind: 'version' });
    expect(error.message).toContain(dir);
    expect(error.message).toMatch(/newer version of tabmesh \(schema 2; this code reads up to 1\)/);
  });

  it('refuses damaged files, an unreadable schema record and a foreign LevelDB, naming the directory', async () => {
    const garbageCurrent = await freshDir();
    await closed(await open(garbageCurrent));
    await writeFile(join(garbageCurrent, 'CURRENT'), 'garbage\n');
    const badCurrent = await openError(garbageCurrent);
    expect(badCurrent.message).toContain(garbageCurrent);
    expect(badCurrent.message).toMatch(/CURRENT, MANIFEST/);

    const garbageManifest = await freshDir();
    await closed(await open(garbageManifest));
    const manifest = (await readFile(join(garbageManifest, 'CURRENT'), 'utf8')).trim();
    await writeFile(join(garbageManifest, manifest), Buffer.alloc(300, 0x5a));
    const badManifest = await openError(garbageManifest);
    expect(badManifest).toMatchObject({ kind: 'corrupt' });
    expect(badManifest.message).toMatch(/LevelDB files are damaged/);
    expect(badManifest.message).toContain(garbageManifest);

    const badSchema = await freshDir();
    await closed(await open(badSchema));
    await writeRaw(badSchema, [['!sys!schema', Uint8Array.of(0xff, 0xfe)]]);
    const unreadable = await openError(badSchema);
    expect(unreadable).toMatchObject({ kind: 'corrupt' });
    expect(unreadable.message).toContain(badSchema);
    expect(unreadable.message).toMatch(/schema record is missing or unreadable/);

    const foreign = await freshDir();
    await writeRaw(foreign, [['someone-else', 'x']]);
    const notOurs = await openError(foreign);
    expect(notOurs).toMatchObject({ kind: 'corrupt' });
    expect(notOurs.message).toMatch(/holds records but no schema record/);
  });

  it('refuses a database another process holds, saying so, and opens once it lets go', async () => {
    const dir = await freshDir();
    await closed(await open(dir));
    const holder = spawn(
      process.execPath,
      ['-e', "const { ClassicLevel } = require('classic-level'); new ClassicLevel(process.argv[1]).open().then(() => console.log('held')); setInterval(() => {}, 1000);", dir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
        holder.on('exit', (code) => reject(new Error(`the holder exited early (${code})`)));
      });
      const error = await openError(dir);
      expect(error).toMatchObject({ kind: 'unavailable', operation: 'open database' });
      expect(error.message).toContain(dir);
      expect(error.message).toMatch(/another process holds it/);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('close', resolve));
    }
    const reopened = await open(dir);
    await reopened.putMeta('after', true);
    expect(await reopened.getMeta('after')).toBe(true);
  });

  it('reads each damaged record as a StorageError of kind corrupt', async () => {
    const dir = await freshDir();
    const store = await open(dir);
    await twoBlocks(store);
    await store.putMeta('peers', [1]);
    await closed(store);
    const g = blockHash(genesis.header);
    const h1 = blockHash(a1.header);
    const a1Bytes = encodeBlock(a1);
    await writeRaw(dir, [
      [`!blocks!${g}`, a1Bytes],
      [`!headers!${h1}`, a1Bytes.subarray(0, 100)],
      [`!undo!${h1}`, '{"hash":'],
      [`!accounts!${p.bob}`, Uint8Array.of(1, 2, 3)],
      [`!txloc!${txId(pays[1]!)}`, Uint8Array.of(0)],
      [`!txs!${txId(pays[0]!)}`, JSON.stringify({ bytes: 'zz', receivedAtMs: 1, status: 'pending', source: 'self' })],
      ['!meta!peers', '{"$bytes":"%%"}'],
    ]);
    const reopened = await open(dir);
    const reads: [() => Promise<unknown>, RegExp][] = [
      [() => reopened.getBlock(g), /hashes differently/],
      [() => reopened.listHeaders(), /is 100 bytes, not 149/],
      [() => reopened.getUndo(h1), /is not JSON/],
      [() => reopened.loadState(), /is 3 bytes, not 16/],
      [() => reopened.getTxLocation(txId(pays[1]!)), /is 1 bytes, not 36/],
      [() => reopened.getTx(txId(pays[0]!)), /has no hex bytes/],
      [() => reopened.listRecentTxs(5), /has no hex bytes/],
      [() => reopened.getMeta('peers'), /\$bytes entry is malformed/],
    ];
    for (const [read, message] of reads) await expect(read()).rejects.toMatchObject({ name: 'StorageError', kind: 'corrupt', message });
  });

  it('applies writes in call order, even when the caller does not wait between them', async () => {
    const store = await open(await freshDir());
    const writes = [store.putMeta('n', 1), store.putMeta('n', 2), store.putTx(sampleTx(1, { receivedAtMs: 1 })), store.putTx(sampleTx(1, { receivedAtMs: 3 })), store.putMeta('n', 3)];
    await Promise.all(writes);
    expect(await store.getMeta('n')).toBe(3);
    expect((await store.getTx(sampleTx(1).id))!.receivedAtMs).toBe(3);
    expect(await store.listRecentTxs(5)).toHaveLength(1);
  });
});
