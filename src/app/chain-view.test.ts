import { describe, expect, it } from 'vitest';
import { NETWORK, branch, childOf, send, setup, signers } from '../../test/helpers/ledger-fixtures.ts';
import { genesisBlock } from '../core/ledger/block.ts';
import { createMempool } from '../core/ledger/mempool.ts';
import { txId } from '../core/tx.ts';
import { createTabmeshStore } from '../ui/store.ts';
import { createChainView, createTxStatusIndex } from './chain-view.ts';

/** Bob's chain view over a fresh ledger, and a first block (unsent) mined by alice. */
async function viewOfBob() {
  const fixture = await setup();
  const [alice, bob] = await signers(1, 2);
  const ui = createTabmeshStore();
  const txIndex = createTxStatusIndex();
  const view = createChainView({ ledger: fixture.ledger, mempool: createMempool({ params: fixture.ledger.params, clock: fixture.clock }), ui, clock: fixture.clock, log: fixture.log }, bob!.peerId, txIndex);
  await view.load();
  const [b1] = branch(genesisBlock(NETWORK), alice!.peerId, 1);
  return { fixture, alice: alice!, bob: bob!, ui, txIndex, view, b1: b1! };
}

describe('chain view', () => {
  it('shows a group of connected blocks with one transactions-list update, every transaction confirmed at its height', async () => {
    const { fixture, alice, bob, ui, txIndex, view, b1 } = await viewOfBob();
    const pays = [await send(alice, bob.peerId, 5, 0), await send(alice, bob.peerId, 6, 1)];
    const b2 = childOf(b1, alice.peerId, [pays[0]!]);
    const b3 = childOf(b2, alice.peerId, [pays[1]!]);
    let listUpdates = 0;
    ui.subscribe((state, previous) => {
      if (state.txs !== previous.txs) listUpdates++;
    });

    await Promise.all([b1, b2, b3].map((block) => fixture.ledger.acceptBlock(block)));

    expect(listUpdates).toBe(1);
    const shown = ui.getState().txs;
    expect(shown.map((tx) => [tx.id, tx.status, tx.height])).toEqual([
      [txId(pays[1]!), 'confirmed', 3],
      [txId(pays[0]!), 'confirmed', 2],
    ]);
    // First seen inside a block: its arrival is when the block connected here.
    expect(txIndex.get(txId(pays[0]!))).toEqual({ status: 'confirmed', height: 2, receivedAtMs: fixture.clock.nowMs() });
    expect(ui.getState().tip?.height).toBe(3);
    expect(ui.getState().blocks.map((block) => block.height).slice(0, 3)).toEqual([3, 2, 1]);
    view.close();
  });

  it('keeps a transaction\'s arrival time when a block confirms it and when a reorg returns it', async () => {
    const { fixture, alice, bob, txIndex, view, b1 } = await viewOfBob();
    const pay = await send(alice, bob.peerId, 5, 0);
    const arrivedAtMs = fixture.clock.nowMs() - 5_000;
    txIndex.set(txId(pay), { status: 'pending', receivedAtMs: arrivedAtMs });
    const b2 = childOf(b1, alice.peerId, [pay]);
    await fixture.ledger.acceptBlock(b1);
    await fixture.ledger.acceptBlock(b2);
    expect(txIndex.get(txId(pay))).toEqual({ status: 'confirmed', height: 2, receivedAtMs: arrivedAtMs });
    // A heavier branch without it: the transaction is pending again, still with its first arrival.
    const [other2, other3] = branch(b1, bob.peerId, 2);
    await fixture.ledger.acceptBlock(other2!);
    await fixture.ledger.acceptBlock(other3!);
    expect(fixture.ledger.tip().height).toBe(3);
    expect(txIndex.get(txId(pay))).toEqual({ status: 'pending', receivedAtMs: arrivedAtMs });
    view.close();
  });
});
