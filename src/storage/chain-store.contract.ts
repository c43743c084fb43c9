/**
 * The ChainStore half of the LedgerStore contract (ledger-store.contract.ts
 * lists these cases first, so both halves run against every implementation).
 * Blocks carry real signed transactions (chain-fixtures.ts). No test
 * framework here: the same cases run under vitest and in a real browser.
 */
import { blockHash } from '../core/ledger/block.ts';
import type { Account, Block } from '../core/ledger/types.ts';
import { InvalidArgumentError } from '../core/result.ts';
import { encodeTx, txId, type Tx } from '../core/tx.ts';
import type { PeerId } from '../core/types.ts';
import { applyAccounts, connectCommit, disconnectCommit, emptyUndo, makeBlock, parties, sortedAccounts, tipOf, type Parties } from '../../test/helpers/chain-fixtures.ts';
import { expect, lazy, rejection, storeCase, type StoreContractCase } from './contract-expect.ts';
import { StorageError, type LedgerStore } from './ledger-store.ts';

const byHash = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const hashes = (blocks: Block[]) => blocks.map((block) => blockHash(block.header)).sort(byHash);

/** The ChainStore cases; their fixtures are made once per call, on the first case run. */
export function chainStoreContractCases(): StoreContractCase[] {
  let p: Parties;
  let pays: Tx[];
  let genesis: Block;
  let a1: Block;
  let a2: Block;
  const fixtures = lazy(async () => {
    p = await parties();
    pays = await p.payments(0, 3);
    genesis = makeBlock(undefined, [], p.alice);
    a1 = makeBlock(genesis, pays.slice(0, 2), p.alice);
    a2 = makeBlock(a1, pays.slice(2), p.carol);
  });
  /** A case on a fresh store `s` (owned by `owner`, when given), with the fixtures made. */
  const chainCase = (name: string, body: (s: LedgerStore) => Promise<void>, owner?: () => PeerId) =>
    storeCase(
      name,
      async (s) => {
        await fixtures();
        await body(s);
      },
      owner &&
        (async () => {
          await fixtures();
          return { owner: owner() };
        }),
    );
  const genesisAccounts = (): [PeerId, Account][] => [[p.alice, { balance: 100, nonce: 0 }]];
  const a1Accounts = (): [PeerId, Account][] => [
    [p.alice, { balance: 178, nonce: 2 }],
    [p.bob, { balance: 20, nonce: 0 }],
  ];

  /** Connects genesis and a1; returns the model state after each. */
  async function connectTwo(s: LedgerStore): Promise<Map<PeerId, Account>[]> {
    const s0 = new Map<PeerId, Account>();
    await s.commitConnect(connectCommit(genesis, s0, genesisAccounts()));
    const s1 = applyAccounts(s0, genesisAccounts());
    await s.commitConnect(connectCommit(a1, s1, a1Accounts()));
    return [s1, applyAccounts(s1, a1Accounts())];
  }

  return [
    chainCase('chain: a fresh store has no tip, no headers and no records', async (s) => {
      expect(await s.loadState()).toBeUndefined();
      expect(await s.listHeaders()).toEqual([]);
      expect(await s.getBlock(blockHash(a1.header))).toBeUndefined();
      expect(await s.getUndo(blockHash(a1.header))).toBeUndefined();
      expect(await s.getTxLocation(txId(pays[0]!))).toBeUndefined();
    }),
    chainCase('chain: putBlock stores a side-branch block and its header, and nothing else', async (s) => {
      await s.putBlock(a1);
      const got = (await s.getBlock(blockHash(a1.header)))!;
      expect(got).toEqual(a1);
      expect(got.txs.map((tx) => txId(tx))).toEqual(a1.txs.map((tx) => txId(tx)));
      expect(await s.listHeaders()).toEqual([a1.header]);
      expect(await s.loadState()).toBeUndefined();
      expect(await s.getUndo(blockHash(a1.header))).toBeUndefined();
      expect(await s.getTxLocation(txId(pays[0]!))).toBeUndefined();
    }),
    chainCase('chain: connect then disconnect restores the accounts exactly, deleting created ones', async (s) => {
      const [afterGenesis, afterA1] = await connectTwo(s);
      expect(await s.loadState()).toEqual({ tip: tipOf(a1), accounts: sortedAccounts(afterA1!) });
      const undo = (await s.getUndo(blockHash(a1.header)))!;
      expect(undo).toEqual(connectCommit(a1, afterGenesis!, a1Accounts()).undo);
      expect(undo.before.find(({ id }) => id === p.bob)!.account).toBeNull();

      await s.commitDisconnect(disconnectCommit(undo, genesis));
      const state = (await s.loadState())!;
      expect(state).toEqual({ tip: tipOf(genesis), accounts: sortedAccounts(afterGenesis!) });
      expect(state.accounts.map(([id]) => id)).not.toContain(p.bob);
      expect(await s.getUndo(blockHash(a1.header))).toBeUndefined();
      expect(await s.getUndo(blockHash(genesis.header))).toBeDefined();
      // The block itself stays: it is now a side branch.
      expect(await s.getBlock(blockHash(a1.header))).toEqual(a1);
      expect(await s.listHeaders()).toHaveLength(2);
    }),
    chainCase('chain: the tx index and stored tx statuses follow connect and disconnect', async (s) => {
      const [tx0, tx1] = [pays[0]!, pays[1]!];
      await s.putTx({ id: txId(tx0), bytes: encodeTx(tx0), receivedAtMs: 5, status: 'pending', source: 'self' });
      const beforeMs = Date.now();
      await connectTwo(s);
      const afterMs = Date.now();
      const location = { blockHash: blockHash(a1.header), height: 1 };
      expect(await s.getTxLocation(txId(tx0))).toEqual(location);
      expect(await s.getTxLocation(txId(tx1))).toEqual(location);
      // A known transaction keeps its arrival and source.
      expect(await s.getTx(txId(tx0))).toMatchObject({ status: 'confirmed', height: 1, receivedAtMs: 5, source: 'self' });
      // One first seen inside the block joins the history in the same commit: from the miner, received now.
      const firstSeen = (await s.getTx(txId(tx1)))!;
      expect(firstSeen).toMatchObject({ status: 'confirmed', height: 1, source: a1.header.miner });
      expect(Array.from(firstSeen.bytes)).toEqual(Array.from(encodeTx(tx1)));
      expect(firstSeen.bytes.buffer.byteLength).toBe(encodeTx(tx1).length);
      expect(firstSeen.receivedAtMs >= beforeMs && firstSeen.receivedAtMs <= afterMs).toBe(true);
      expect(await s.countTxs()).toBe(2);

      await s.commitDisconnect(disconnectCommit((await s.getUndo(blockHash(a1.header)))!, genesis));
      expect(await s.getTxLocation(txId(tx0))).toBeUndefined();
      expect(await s.getTxLocation(txId(tx1))).toBeUndefined();
      const back = (await s.getTx(txId(tx0)))!;
      expect(back.status).toBe('pending');
      expect('height' in back).toBe(false);
      expect(Array.from(back.bytes)).toEqual(Array.from(encodeTx(tx0)));
    }),
    chainCase(
      "chain: an owned store's history keeps the owner's transactions: a connect adds none of the others first seen inside it",
      async (s) => {
        const [tx0, tx1] = [pays[0]!, pays[1]!];
        // Stored before (this tab sent or received it): confirmed by the block like any record.
        await s.putTx({ id: txId(tx0), bytes: encodeTx(tx0), receivedAtMs: 5, status: 'pending', source: 'self' });
        await connectTwo(s);
        expect(await s.getTxLocation(txId(tx1))).toEqual({ blockHash: blockHash(a1.header), height: 1 });
        expect(await s.getTx(txId(tx0))).toMatchObject({ status: 'confirmed', height: 1, receivedAtMs: 5 });
        // alice pays bob: carol's history does not take it.
        expect(await s.getTx(txId(tx1))).toBeUndefined();
        expect(await s.countTxs()).toBe(1);
      },
      () => p.carol,
    ),
    chainCase(
      "chain: an owned store's history takes the owner's transactions first seen inside a block, received or sent",
      async (s) => {
        await connectTwo(s);
        for (const tx of pays.slice(0, 2)) expect(await s.getTx(txId(tx))).toMatchObject({ status: 'confirmed', height: 1, source: a1.header.miner });
        expect(await s.countTxs()).toBe(2);
      },
      () => p.bob,
    ),
    chainCase('chain: a stored record confirmed by a block reads confirmed everywhere, whatever its history writes say', async (s) => {
      const [tx0, tx1] = [pays[0]!, pays[1]!];
      const record = (tx: Tx, receivedAtMs: number) => ({ id: txId(tx), bytes: encodeTx(tx), receivedAtMs, status: 'pending' as const, source: 'self' });
      await s.putTxs([record(tx0, 5), record(tx1, 6)]);
      await s.markTxsDropped([txId(tx1)]);
      await connectTwo(s);
      // Listed, read one by one, and after a late pending write and a drop: confirmed at the block's height.
      expect((await s.listRecentTxs(10)).map((tx) => [tx.receivedAtMs, tx.status, tx.height])).toEqual([[6, 'confirmed', 1], [5, 'confirmed', 1]]);
      await s.putTxs([record(tx0, 7)]);
      await s.markTxsDropped([txId(tx0)]);
      expect(await s.getTx(txId(tx0))).toMatchObject({ status: 'confirmed', height: 1, receivedAtMs: 7 });
      expect(await s.getTx(txId(tx1))).toMatchObject({ status: 'confirmed', height: 1, receivedAtMs: 6 });
      expect(await s.countTxs()).toBe(2);
      // Disconnected, each is what its history says again.
      await s.commitDisconnect(disconnectCommit((await s.getUndo(blockHash(a1.header)))!, genesis));
      expect((await s.getTx(txId(tx0)))?.status).toBe('pending');
      expect((await s.listRecentTxs(10)).map((tx) => tx.status)).toEqual(['pending', 'pending']);
    }),
    chainCase('chain: follows a reorg onto a side branch, and lists every header, side branches included', async (s) => {
      const [afterGenesis] = await connectTwo(s);
      const a2Accounts: [PeerId, Account][] = [[p.alice, { balance: 167, nonce: 3 }], [p.carol, { balance: 51, nonce: 0 }]];
      const afterA1 = applyAccounts(afterGenesis!, a1Accounts());
      await s.commitConnect(connectCommit(a2, afterA1, a2Accounts));
      // A competing branch from genesis, carrying tx0 again.
      const b1 = makeBlock(genesis, [pays[0]!], p.bob, 1);
      const b2 = makeBlock(b1, [], p.bob, 1);
      const b3 = makeBlock(b2, [], p.bob, 1);
      await s.putBlock(b1);
      expect((await s.listHeaders()).map((header) => blockHash(header))).toEqual(hashes([genesis, a1, a2, b1]));

      for (const [block, parent] of [[a2, a1], [a1, genesis]] as const) {
        await s.commitDisconnect(disconnectCommit((await s.getUndo(blockHash(block.header)))!, parent));
      }
      expect(await s.loadState()).toEqual({ tip: tipOf(genesis), accounts: sortedAccounts(afterGenesis!) });
      let state = afterGenesis!;
      for (const block of [b1, b2, b3]) {
        const after: [PeerId, Account][] = [[p.bob, { balance: 50 * block.header.height, nonce: 0 }]];
        if (block === b1) after.push([p.alice, { balance: 89, nonce: 1 }]);
        await s.commitConnect(connectCommit(block, state, after));
        state = applyAccounts(state, after);
      }
      expect(await s.loadState()).toEqual({ tip: tipOf(b3), accounts: sortedAccounts(state) });
      expect(await s.getTxLocation(txId(pays[0]!))).toEqual({ blockHash: blockHash(b1.header), height: 1 });
      expect(await s.getTxLocation(txId(pays[1]!))).toBeUndefined();
      expect(await s.getTxLocation(txId(pays[2]!))).toBeUndefined();
      expect((await s.listHeaders()).map((header) => blockHash(header))).toEqual(hashes([genesis, a1, a2, b1, b2, b3]));
      for (const block of [a1, a2]) expect(await s.getBlock(blockHash(block.header))).toEqual(block);
    }),
    chainCase('chain: resetState clears accounts, undo data and locations, keeps blocks, and allows a replay', async (s) => {
      const [tx0, tx1] = [pays[0]!, pays[1]!];
      await s.putTx({ id: txId(tx0), bytes: encodeTx(tx0), receivedAtMs: 5, status: 'pending', source: 'self' });
      // Dropped from the mempool before its block came: confirmed by the block, pending after the reset.
      await s.putTx({ id: txId(tx1), bytes: encodeTx(tx1), receivedAtMs: 6, status: 'dropped', source: 'self' });
      const [afterGenesis, afterA1] = await connectTwo(s);
      await s.resetState({ tip: tipOf(genesis), accounts: [[p.carol, { balance: 100, nonce: 0 }]] });
      expect(await s.loadState()).toEqual({ tip: tipOf(genesis), accounts: [[p.carol, { balance: 100, nonce: 0 }]] });
      for (const block of [genesis, a1]) {
        expect(await s.getUndo(blockHash(block.header))).toBeUndefined();
        expect(await s.getBlock(blockHash(block.header))).toEqual(block);
      }
      expect(await s.getTxLocation(txId(tx0))).toBeUndefined();
      expect(await s.getTx(txId(tx0))).toMatchObject({ status: 'pending' });
      expect(await s.getTx(txId(tx1))).toMatchObject({ status: 'pending', receivedAtMs: 6 });
      expect(await s.listHeaders()).toHaveLength(2);

      // The ledger's rebuild (active-chain.ts resetToGenesis): reset to genesis,
      // commit genesis again over it, then replay the stored blocks.
      await s.resetState({ tip: tipOf(genesis), accounts: [] });
      await s.commitConnect(connectCommit(genesis, new Map(), genesisAccounts()));
      expect(await s.loadState()).toEqual({ tip: tipOf(genesis), accounts: sortedAccounts(afterGenesis!) });
      await s.commitConnect(connectCommit((await s.getBlock(blockHash(a1.header)))!, afterGenesis!, a1Accounts()));
      expect(await s.loadState()).toEqual({ tip: tipOf(a1), accounts: sortedAccounts(afterA1!) });
      expect(await s.getTx(txId(tx0))).toMatchObject({ status: 'confirmed', height: 1 });
    }),
    chainCase('chain: commitConnects writes a group of connected blocks in one commit, or nothing of it', async (s) => {
      const s0 = new Map<PeerId, Account>();
      await s.commitConnect(connectCommit(genesis, s0, genesisAccounts()));
      const afterGenesis = applyAccounts(s0, genesisAccounts());
      const before = await s.loadState();
      const a2Accounts: [PeerId, Account][] = [[p.alice, { balance: 167, nonce: 3 }], [p.carol, { balance: 51, nonce: 0 }]];
      const afterA1 = applyAccounts(afterGenesis, a1Accounts());
      const first = connectCommit(a1, afterGenesis, a1Accounts());
      const second = connectCommit(a2, afterA1, a2Accounts);
      // Not chained (a2 twice), or not on the stored tip (a1 is missing): refused whole.
      expect(await rejection(s.commitConnects([first, second, second]))).toBeInstanceOf(InvalidArgumentError);
      expect(await rejection(s.commitConnects([second]))).toMatchObject({ kind: 'conflict', operation: 'save connected block' });
      expect(await rejection(s.commitConnects([]))).toBeInstanceOf(InvalidArgumentError);
      expect(await s.loadState()).toEqual(before);
      expect(await s.getBlock(blockHash(a1.header))).toBeUndefined();

      await s.commitConnects([first, second]);
      expect(await s.loadState()).toEqual({ tip: tipOf(a2), accounts: sortedAccounts(applyAccounts(afterA1, a2Accounts)) });
      for (const block of [a1, a2]) {
        expect(await s.getBlock(blockHash(block.header))).toEqual(block);
        expect(await s.getUndo(blockHash(block.header))).toMatchObject({ hash: blockHash(block.header) });
      }
      expect(await s.getUndo(blockHash(a2.header))).toEqual(second.undo);
      expect(await s.getTxLocation(txId(pays[0]!))).toEqual({ blockHash: blockHash(a1.header), height: 1 });
      expect(await s.getTxLocation(txId(pays[2]!))).toEqual({ blockHash: blockHash(a2.header), height: 2 });
      expect(await s.getTx(txId(pays[2]!))).toMatchObject({ status: 'confirmed', height: 2, source: p.carol });
    }),
    chainCase('chain: refuses commits that do not follow the stored tip, writing nothing', async (s) => {
      const none = await rejection(s.commitDisconnect(disconnectCommit(emptyUndo(genesis), genesis)));
      expect(none).toBeInstanceOf(StorageError);
      expect(none).toMatchObject({ kind: 'conflict', operation: 'save disconnected block' });
      const [, afterA1] = await connectTwo(s);
      const before = await s.loadState();
      const sibling = makeBlock(genesis, [], p.carol, 2);
      const cases: [() => Promise<unknown>, string][] = [
        [() => s.commitConnect(connectCommit(sibling, afterA1!, [[p.carol, { balance: 50, nonce: 0 }]])), 'save connected block'],
        [() => s.commitConnect(connectCommit(genesis, afterA1!, genesisAccounts())), 'save connected block'],
        [() => s.commitConnect(connectCommit(makeBlock(undefined, [], p.bob, 3), afterA1!, [])), 'save connected block'],
        [() => s.commitDisconnect(disconnectCommit(emptyUndo(genesis), genesis)), 'save disconnected block'],
      ];
      for (const [call, operation] of cases) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(StorageError);
        expect(error).toMatchObject({ name: 'StorageError', kind: 'conflict', operation });
        expect((error as Error).message).toMatch(/stored tip/);
      }
      expect(await s.loadState()).toEqual(before);
      expect(await s.getBlock(blockHash(sibling.header))).toBeUndefined();
      expect(await s.getUndo(blockHash(sibling.header))).toBeUndefined();
      expect(await s.listHeaders()).toHaveLength(2);
    }),
    chainCase('chain: rejects malformed or inconsistent arguments with InvalidArgumentError naming the field', async (s) => {
      const [afterGenesis] = await connectTwo(s);
      const before = await s.loadState();
      const good = connectCommit(a2, afterGenesis!, [[p.carol, { balance: 1, nonce: 0 }]]);
      const a1Undo = (await s.getUndo(blockHash(a1.header)))!;
      const cases: [() => Promise<unknown>, RegExp][] = [
        [() => s.commitConnect({ ...good, undo: { ...good.undo, hash: blockHash(a1.header) } }), /undo\.hash must be the block's hash/],
        [() => s.commitConnect({ ...good, tip: tipOf(a1) }), /tip must be the connected block/],
        [() => s.commitConnect({ ...good, tip: { ...good.tip, chainWork: '0x10' } }), /tip\.chainWork/],
        [() => s.commitConnect({ ...good, accounts: [[p.carol, { balance: -1, nonce: 0 }]] }), /accounts\[0\]\[1\]\.balance/],
        [() => s.commitConnect({ ...good, accounts: [[p.carol, null as never]] }), /accounts\[0\]\[1\] must be an Account/],
        [() => s.commitConnect({ ...good, accounts: [[p.carol, { balance: 1, nonce: 0 }], [p.carol, { balance: 2, nonce: 0 }]] }), /twice/],
        [() => s.commitConnect({ ...good, block: { ...a2, txs: 'x' as never } }), /block\.txs/],
        [() => s.commitConnect({ ...good, block: { ...a2, txs: [{ ...pays[2]!, signature: 'zz' }] } }), /signature/],
        [() => s.commitConnect({ ...good, tip: { ...good.tip, stateHash: undefined as never } }), /tip\.stateHash/],
        [() => s.commitConnect({ ...good, undo: { ...good.undo, prevStateHash: 7 as never } }), /undo\.prevStateHash/],
        [() => s.commitConnect({ ...good, undo: { ...good.undo, before: [{ id: 'x', account: null }] } }), /undo\.before\[0\]\.id/],
        [() => s.commitDisconnect({ ...disconnectCommit(a1Undo, genesis), tip: tipOf(a1) }), /tip must be the parent/],
        [() => s.commitDisconnect({ ...disconnectCommit(a1Undo, genesis), hash: 'A1' }), /hash must be 64/],
        [() => s.resetState({ tip: tipOf(genesis), accounts: [[p.bob, { balance: 1.5, nonce: 0 }]] }), /accounts\[0\]\[1\]\.balance/],
        [() => s.putBlock({ ...a2, txs: [{ ...pays[2]!, amount: 0 }] }), /amount/],
        [() => s.getBlock('XY'), /hash must be 64/],
        [() => s.getUndo(''), /hash must be 64/],
        [() => s.getTxLocation('nope'), /id must be 64/],
      ];
      for (const [call, message] of cases) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as Error).message).toMatch(message);
      }
      expect(await s.loadState()).toEqual(before);
      expect(await s.getBlock(blockHash(a2.header))).toBeUndefined();
      expect(await s.getUndo(blockHash(a1.header))).toEqual(a1Undo);
    }),
    chainCase('chain: hands out copies in and out, keeping only the known record fields', async (s) => {
      const commit = connectCommit(genesis, new Map(), genesisAccounts());
      Object.assign(commit.tip, { extra: 1 });
      await s.commitConnect(commit);
      commit.accounts[0]![1].balance = 1;
      commit.undo.before.push({ id: p.bob, account: null });
      commit.tip.height = 9;
      const state = (await s.loadState())!;
      expect(state).toEqual({ tip: tipOf(genesis), accounts: genesisAccounts() });
      expect(state.tip.stateHash).toBe(tipOf(genesis).stateHash);
      state.accounts[0]![1].balance = 5;
      state.tip.height = 7;
      expect(await s.loadState()).toEqual({ tip: tipOf(genesis), accounts: genesisAccounts() });
      (await s.getUndo(blockHash(genesis.header)))!.before.push({ id: p.bob, account: null });
      expect(await s.getUndo(blockHash(genesis.header))).toEqual({ hash: blockHash(genesis.header), before: [{ id: p.alice, account: null }], prevStateHash: '' });

      const block = makeBlock(genesis, [{ ...pays[0]! }], p.alice);
      await s.putBlock(block);
      const hash = blockHash(block.header);
      block.txs[0]!.amount = 999;
      const got = (await s.getBlock(hash))!;
      expect(got.txs[0]!.amount).toBe(10);
      got.header.nonce = 42;
      got.txs.pop();
      (await s.listHeaders())[0]!.height = 99;
      expect(await s.getBlock(hash)).toEqual(makeBlock(genesis, [pays[0]!], p.alice));
      expect((await s.listHeaders()).map((header) => header.height).sort()).toEqual([0, 1]);
    }),
    chainCase('chain: rejects every chain call after close() with a StorageError of kind closed', async (s) => {
      await s.commitConnect(connectCommit(genesis, new Map(), genesisAccounts()));
      s.close();
      const hash = blockHash(genesis.header);
      const calls = [
        () => s.putBlock(a1),
        () => s.getBlock(hash),
        () => s.getUndo(hash),
        () => s.listHeaders(),
        () => s.loadState(),
        () => s.getTxLocation(txId(pays[0]!)),
        () => s.commitConnect(connectCommit(a1, new Map(), a1Accounts())),
        () => s.commitDisconnect(disconnectCommit(emptyUndo(genesis), genesis)),
        () => s.resetState({ tip: tipOf(genesis), accounts: [] }),
      ];
      for (const call of calls) expect(await rejection(call())).toMatchObject({ name: 'StorageError', kind: 'closed' });
    }),
  ];
}
