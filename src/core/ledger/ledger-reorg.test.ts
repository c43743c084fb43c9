import { beforeAll, describe, expect, it } from 'vitest';
import { txId } from '../tx.ts';
import type { Signer } from '../types.ts';
import { blockHash, genesisBlock } from './block.ts';
import { NETWORK, balances, branch, childOf, mineBlocks, nextBlock, send, setup, signers, sumOfBalances } from '../../../test/helpers/ledger-fixtures.ts';
import type { TipEvent } from './ledger.ts';
import { TEST_PARAMS } from './params.ts';
import { MemoryChainStore } from './memory-chain-store.ts';
import { fakeClock } from './testing.ts';
import type { Block } from './types.ts';

const reward = TEST_PARAMS.blockReward;
const genesis = genesisBlock(NETWORK);
let alice: Signer, bob: Signer, carol: Signer, dave: Signer;
beforeAll(async () => {
  [alice, bob, carol, dave] = (await signers(1, 2, 3, 4)) as [Signer, Signer, Signer, Signer];
});

/** Chain A on genesis: alice mines A1, A2 pays bob 100, A3. */
async function chainA(): Promise<Block[]> {
  const a1 = childOf(genesis, alice.peerId);
  const a2 = childOf(a1, alice.peerId, [await send(alice, bob.peerId, 100, 0)]);
  return [a1, a2, childOf(a2, alice.peerId)];
}

describe('fork choice', () => {
  it('reorganises to a heavier branch with undo data and reports the disconnected transactions', async () => {
    const fixture = await setup();
    const { ledger, store } = fixture;
    const a = await chainA();
    for (const block of a) expect(await ledger.acceptBlock(block)).toMatchObject({ ok: true, value: { status: 'connected' } });
    const payment = a[1]!.txs[0]!;
    const events: TipEvent[] = [];
    ledger.events.on('tip', (event) => events.push(event));

    const b = branch(genesis, carol.peerId, 4, [], 2_000);
    for (const block of b.slice(0, 3)) expect(await ledger.acceptBlock(block)).toMatchObject({ ok: true, value: { status: 'side-branch' } });
    expect(ledger.tip().hash).toBe(blockHash(a[2]!.header)); // equal work: the first-seen tip stays
    const before = { ...store.calls };

    const result = await ledger.acceptBlock(b[3]!);
    expect(result).toEqual({ ok: true, value: { status: 'reorged', connected: b, disconnected: [...a].reverse() } });
    expect(events).toEqual([{ connected: b, disconnected: [...a].reverse(), tip: ledger.tip() }]);
    expect(store.calls.commitDisconnect - before.commitDisconnect).toBe(3);
    expect(store.calls.getUndo - before.getUndo).toBe(3);
    expect(store.calls.commitConnect - before.commitConnect).toBe(1); // the branch's 4 blocks in one group commit
    expect(store.calls.resetState).toBe(0);
    expect(balances(ledger)).toEqual(new Map([[carol.peerId, 4 * reward]]));
    expect(ledger.account(alice.peerId)).toEqual({ balance: 0, nonce: 0 });
    expect(await ledger.txLocation(txId(payment))).toBeUndefined();
    expect(ledger.headerEntry(blockHash(a[2]!.header))).toMatchObject({ status: 'side' });
    expect(store.tipRecord?.hash).toBe(ledger.tip().hash);

    // And back: a longer A reconnects its blocks from the store.
    const a45 = branch(a[2]!, alice.peerId, 2);
    await ledger.acceptBlock(a45[0]!);
    expect(await ledger.acceptBlock(a45[1]!)).toEqual({ ok: true, value: { status: 'reorged', connected: [...a, ...a45], disconnected: [...b].reverse() } });
    expect(ledger.account(bob.peerId)).toEqual({ balance: 100, nonce: 0 });
    expect(await ledger.txLocation(txId(payment))).toEqual({ blockHash: blockHash(a[1]!.header), height: 2 });
    expect(sumOfBalances(ledger)).toBe(ledger.totalIssued());
  });

  it('answers account() from the settled state while a reorg is half-way, and from the new one once its tip event is out', async () => {
    // A store whose group commit waits for the test: the reorg has disconnected A (its own commits)
    // and is about to connect B when it stops.
    let release = () => undefined as void;
    let reached = () => undefined as void;
    let gated = false;
    class GatedStore extends MemoryChainStore {
      override async commitConnects(...args: Parameters<MemoryChainStore['commitConnects']>) {
        if (gated) {
          reached();
          await new Promise<void>((resolve) => { release = resolve; });
        }
        return super.commitConnects(...args);
      }
    }
    const { ledger } = await setup({ store: new GatedStore() });
    const a = await chainA();
    for (const block of a) await ledger.acceptBlock(block);
    const settled = ledger.account(alice.peerId);
    expect(settled).toEqual({ balance: 3 * reward - 100, nonce: 1 }); // alice mined A2, so its fee came back to her
    const seenAtTip: unknown[] = [];
    ledger.events.on('tip', () => seenAtTip.push(ledger.account(alice.peerId)));

    const b = branch(genesis, carol.peerId, 4, [], 2_000);
    for (const block of b.slice(0, 3)) await ledger.acceptBlock(block);
    gated = true;
    const halfWay = new Promise<void>((resolve) => { reached = resolve; });
    const reorg = ledger.acceptBlock(b[3]!);
    await halfWay;
    // A is disconnected in memory (alice's nonce 0 is free again there), but no tip event has told
    // the mempool: a wallet reading that state would sign a second transaction with nonce 0.
    expect(ledger.account(alice.peerId)).toEqual(settled);
    expect(ledger.checkTx(await send(alice, bob.peerId, 1, 0))).toMatchObject({ ok: false, reason: 'bad-nonce' });
    // A block template builds on the tip those accounts belong to, not on the half-way one.
    expect(ledger.buildHeaderTemplate(alice.peerId, [], Date.now())).toMatchObject({ prevHash: blockHash(a[2]!.header), height: 4 });
    release();
    expect(await reorg).toMatchObject({ ok: true, value: { status: 'reorged' } });
    expect(seenAtTip).toEqual([{ balance: 0, nonce: 0 }]);
    expect(ledger.account(alice.peerId)).toEqual({ balance: 0, nonce: 0 });
  });

  it('chooses by work, not height', async () => {
    // Retarget every 4 blocks: fast blocks make the target 4× harder, so fewer blocks carry more work.
    const T0 = 1_800_000_000_000;
    const params = { retargetIntervalBlocks: 4, targetBlockMs: 10_000, genesisTimeMs: T0 };
    const heavy = await setup({ params, clock: fakeClock(T0) });
    const heavyBlocks: Block[] = [];
    for (let i = 0; i < 8; i++) {
      heavy.clock.advance(1);
      heavyBlocks.push(...(await mineBlocksAt(heavy, alice.peerId)));
    }
    const long = await setup({ params, clock: fakeClock(T0) });
    await mineBlocks(long, carol.peerId, 12);
    expect(long.ledger.tip().height).toBe(12);
    expect(heavy.ledger.tip().chainWork).toBeGreaterThan(long.ledger.tip().chainWork);
    expect(heavyBlocks[7]!.header.target < heavyBlocks[0]!.header.target).toBe(true);

    const statuses: string[] = [];
    for (const block of heavyBlocks) {
      const result = await long.ledger.acceptBlock(block);
      statuses.push(result.ok ? result.value.status : result.reason);
    }
    // Work: 16 per block up to height 3, 64 from height 4 (target / 4). Six heavy blocks
    // (16 + 3·16 + 3·64 = 256) outweigh twelve light ones (16 + 12·16 = 208).
    expect(statuses).toEqual(['side-branch', 'side-branch', 'side-branch', 'side-branch', 'side-branch', 'reorged', 'connected', 'connected']);
    expect(long.ledger.tip()).toMatchObject({ height: 8, hash: heavy.ledger.tip().hash });
  });

  it('leaves the valid chain in place when a heavier branch holds an invalid block', async () => {
    const fixture = await setup();
    const { ledger, store } = fixture;
    for (const block of await chainA()) await ledger.acceptBlock(block);
    const tipBefore = ledger.tip();
    const balancesBefore = balances(ledger);
    const events: TipEvent[] = [];
    ledger.events.on('tip', (event) => events.push(event));

    // B2 carries a well-signed transfer from alice, who owns nothing on branch B.
    const b1 = childOf(genesis, carol.peerId, [], 3_000);
    const b2 = childOf(b1, carol.peerId, [await send(alice, dave.peerId, 10, 0)], 3_000);
    const [b3, b4, b5] = branch(b2, carol.peerId, 3, [], 3_000) as [Block, Block, Block];
    for (const block of [b1, b2, b3]) expect(await ledger.acceptBlock(block)).toMatchObject({ ok: true, value: { status: 'side-branch' } });
    expect(await ledger.acceptBlock(b4)).toMatchObject({ ok: false, reason: 'invalid-parent' });
    expect(ledger.tip()).toEqual(tipBefore);
    expect(balances(ledger)).toEqual(balancesBefore);
    expect(events).toEqual([]); // B1 was connected and disconnected again: no net change
    expect(ledger.headerEntry(blockHash(b2.header))).toMatchObject({ status: 'invalid', invalidReason: expect.stringMatching(/^insufficient-funds/) });
    expect(ledger.headerEntry(blockHash(b1.header))).toMatchObject({ status: 'side' });
    expect(await ledger.acceptBlock(b5)).toMatchObject({ ok: false, reason: 'invalid-parent' });
    expect(store.tipRecord?.hash).toBe(tipBefore.hash);

    // A restart from the same store sees the same chain.
    const again = await setup({ store });
    expect(again.ledger.tip()).toEqual(tipBefore);
    expect(balances(again.ledger)).toEqual(balancesBefore);
  });

  it('returns to the first-seen tip after a failed reorg, and a restart keeps it', async () => {
    const fixture = await setup();
    const { ledger } = fixture;
    const a1 = childOf(genesis, alice.peerId, [], 1_000);
    const b1 = childOf(genesis, carol.peerId, [], 2_000);
    const b2 = childOf(b1, carol.peerId, [await send(bob, carol.peerId, 5, 0)]); // bob owns nothing
    const b3 = childOf(b2, carol.peerId);
    await ledger.acceptBlock(a1);
    expect(await ledger.acceptBlock(b3)).toMatchObject({ ok: true, value: { status: 'orphan' } });
    expect(await ledger.acceptBlock(b2)).toMatchObject({ ok: true, value: { status: 'orphan' } });
    // b1 arrives: b3 is the heaviest; b1 connects, b2 fails; b1 and a1 tie, and a1 was seen first.
    expect(await ledger.acceptBlock(b1)).toMatchObject({ ok: true, value: { status: 'side-branch', connected: [], disconnected: [] } });
    expect(ledger.tip().hash).toBe(blockHash(a1.header));
    const again = await setup({ store: fixture.store });
    expect(again.ledger.tip().hash).toBe(blockHash(a1.header));
    // A restart never swaps the stored tip for an equal-work branch listed earlier by the store.
    const a1Hash = blockHash(a1.header);
    const stored = fixture.store.blocks.get(a1Hash)!;
    fixture.store.blocks.delete(a1Hash);
    fixture.store.blocks.set(a1Hash, stored);
    expect((await fixture.store.listHeaders()).map((header) => header.miner).slice(1, 3)).toEqual([carol.peerId, carol.peerId]);
    const other = await setup({ store: fixture.store });
    expect(other.ledger.tip().hash).toBe(blockHash(a1.header));
  });
});

/** Mines one block on the tip at the fake clock's time (no 10 s step). */
async function mineBlocksAt(fixture: Awaited<ReturnType<typeof setup>>, miner: string): Promise<Block[]> {
  fixture.clock.advance(-10_000);
  const block = nextBlock(fixture, miner);
  const result = await fixture.ledger.acceptBlock(block);
  if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
  return [block];
}

describe('orphans', () => {
  it('holds blocks with an unknown parent and connects them when it arrives', async () => {
    const fixture = await setup();
    const { ledger } = fixture;
    const [b1, b2, b3] = branch(genesis, alice.peerId, 3) as [Block, Block, Block];
    const hash = (block: Block) => blockHash(block.header);
    expect(await ledger.acceptBlock(b3, 'peer-x')).toEqual({ ok: true, value: { status: 'orphan', connected: [], disconnected: [], missingParent: hash(b2) } });
    expect(await ledger.acceptBlock(b2)).toMatchObject({ ok: true, value: { status: 'orphan', missingParent: hash(b1) } });
    expect(await ledger.acceptBlock(b3)).toMatchObject({ ok: true, value: { status: 'orphan', missingParent: hash(b1) } });
    expect(ledger.hasBlock(hash(b3))).toBe(true);
    expect(ledger.tip().height).toBe(0);
    expect(await ledger.acceptBlock(b1)).toEqual({ ok: true, value: { status: 'connected', connected: [b1, b2, b3], disconnected: [] } });
    expect(ledger.tip().hash).toBe(hash(b3));
    expect(ledger.account(alice.peerId).balance).toBe(3 * reward);
  });

  it('bounds the pool by evicting the oldest', async () => {
    const fixture = await setup({ params: { maxOrphanBlocks: 2 } });
    const { ledger } = fixture;
    const blocks = branch(genesis, alice.peerId, 5);
    for (const block of blocks.slice(1)) await ledger.acceptBlock(block);
    const held = blocks.map((block) => ledger.hasBlock(blockHash(block.header)));
    expect(held).toEqual([false, false, false, true, true]);
    expect(await ledger.acceptBlock(blocks[0]!)).toMatchObject({ ok: true, value: { status: 'connected', connected: [blocks[0]] } });
    await ledger.acceptBlock(blocks[1]!);
    expect(await ledger.acceptBlock(blocks[2]!)).toMatchObject({ ok: true, value: { connected: blocks.slice(2) } });
    expect(ledger.tip().height).toBe(5);
  });

  it('drops an orphan that turns out invalid once its parent arrives', async () => {
    const fixture = await setup();
    const [b1] = branch(genesis, alice.peerId, 1) as [Block];
    const bad = childOf(b1, alice.peerId, [await send(bob, alice.peerId, 5, 0)]);
    expect(await fixture.ledger.acceptBlock(bad)).toMatchObject({ ok: true, value: { status: 'orphan' } });
    expect(await fixture.ledger.acceptBlock(b1)).toMatchObject({ ok: true, value: { status: 'connected', connected: [b1] } });
    expect(fixture.ledger.headerEntry(blockHash(bad.header))).toMatchObject({ status: 'invalid' });
    expect(fixture.ledger.tip().hash).toBe(blockHash(b1.header));
  });
});
