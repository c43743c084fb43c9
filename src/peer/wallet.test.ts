import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../core/address.ts';
import { createMempool } from '../core/ledger/mempool.ts';
import { MINFEE2 } from '../core/ledger/params.ts';
import { txId, type Tx } from '../core/tx.ts';
import type { Signer } from '../core/types.ts';
import { NETWORK, mineBlocks, send, setup, signers } from '../../test/helpers/ledger-fixtures.ts';
import { CANCEL_AMOUNT, CANCEL_SINK, createWallet, TxRejectedError } from './wallet.ts';

/** A ledger where `alice` holds one block reward, a mempool, and alice's wallet over them; counts signatures. */
async function walletSetup() {
  const fixture = await setup();
  const [alice, bob, carol] = (await signers(1, 2, 3)) as [Signer, Signer, Signer];
  await mineBlocks(fixture, alice.peerId, 1);
  const mempool = createMempool({ params: fixture.ledger.params, clock: fixture.clock });
  let signatures = 0;
  const counting: Signer = { ...alice, peerId: alice.peerId, publicKey: alice.publicKey, identityStamp: alice.identityStamp, sign: (bytes) => (signatures++, alice.sign(bytes)) };
  const submit = (tx: Tx) => {
    const added = mempool.add(tx, txId(tx), fixture.ledger.account);
    return added.ok ? { ok: true as const, value: txId(tx) } : added;
  };
  const wallet = createWallet(NETWORK, { signer: counting, ledger: fixture.ledger, mempool, submit });
  /** Mines the mempool's best into a block on the tip and lets the pool follow. */
  const confirm = async () => {
    const txs = mempool.selectForBlock(100, fixture.ledger.account).map((entry) => entry.tx);
    const [block] = await mineBlocks(fixture, carol.peerId, 1, txs);
    mempool.onTip({ connected: [block!], disconnected: [] }, fixture.ledger.account);
  };
  return { fixture, alice, bob, carol, mempool, wallet, submit, confirm, signatures: () => signatures };
}

describe('wallet addresses', () => {
  it('sends to a tm1 address and to the hex id alike', async () => {
    const { wallet, mempool, bob } = await walletSetup();
    const first = await wallet.send(encodeAddress(bob.peerId), 10, 1);
    const second = await wallet.send(bob.peerId.toUpperCase(), 20, 1);
    expect(mempool.get(first)).toMatchObject({ to: bob.peerId, amount: 10, nonce: 0 });
    expect(mempool.get(second)).toMatchObject({ to: bob.peerId, amount: 20, nonce: 1 });
  });

  it('refuses a mistyped address before anything is signed', async () => {
    const { wallet, mempool, bob, signatures } = await walletSetup();
    const address = encodeAddress(bob.peerId);
    const typo = `${address.slice(0, 20)}${address[20] === 'q' ? 'p' : 'q'}${address.slice(21)}`;
    await expect(wallet.send(typo, 10, 1)).rejects.toThrow(/to must be a tm1… address or 64 hex characters: the checksum does not match/);
    expect(signatures()).toBe(0);
    expect(mempool.size).toBe(0);
  });
});

describe('wallet fee bump and cancel', () => {
  it('bumps a pending transfer: same nonce, recipient and amount, higher fee; the old one is gone', async () => {
    const { wallet, mempool, bob } = await walletSetup();
    const old = await wallet.send(bob.peerId, 100, 1);
    const bumped = await wallet.bump(old, 5);
    expect(mempool.has(old)).toBe(false);
    expect(mempool.get(bumped)).toMatchObject({ to: bob.peerId, amount: 100, fee: 5, nonce: 0 });
  });

  it('cancels a pending transfer: the recipient never gets it, the burn is confirmed instead', async () => {
    const { wallet, mempool, bob, fixture, confirm } = await walletSetup();
    const old = await wallet.send(bob.peerId, 100, 2);
    const cancelled = await wallet.cancel(old);
    expect(mempool.get(cancelled)).toMatchObject({ to: CANCEL_SINK, amount: CANCEL_AMOUNT, fee: 3, nonce: 0 });
    await confirm();
    expect(fixture.ledger.account(bob.peerId).balance).toBe(0);
    expect(fixture.ledger.account(CANCEL_SINK).balance).toBe(CANCEL_AMOUNT);
    expect(await fixture.ledger.txLocation(cancelled)).toMatchObject({ height: 2 });
    expect(await fixture.ledger.txLocation(old)).toBeUndefined();
  });

  it('says the minimum fee when a replacement does not pay more', async () => {
    const { wallet, bob } = await walletSetup();
    const old = await wallet.send(bob.peerId, 100, 4);
    await expect(wallet.bump(old, 4)).rejects.toMatchObject({ reason: 'replacement-fee-too-low', message: expect.stringContaining('at least 5') });
    await expect(wallet.cancel(old, 3)).rejects.toThrow(TxRejectedError);
  });

  it('refuses unknown, foreign and confirmed transactions, each with its reason', async () => {
    const { wallet, bob, submit, confirm } = await walletSetup();
    await expect(wallet.bump('ab'.repeat(32), 9)).rejects.toMatchObject({ reason: 'unknown-tx' });
    await expect(wallet.bump('not an id', 9)).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    const mine = await wallet.send(bob.peerId, 100, 1);
    await confirm();
    await expect(wallet.cancel(mine)).rejects.toMatchObject({ reason: 'already-confirmed', message: expect.stringContaining('block #2') });
    // Bob now holds the 100 alice sent him, and has a pending transfer of his own.
    const theirs = await send(bob, CANCEL_SINK, 1, 0, 1);
    expect(submit(theirs).ok).toBe(true);
    await expect(wallet.bump(txId(theirs), 9)).rejects.toMatchObject({ reason: 'not-ours' });
  });

  it('refuses a bump the balance cannot pay, and leaves the pending one in place', async () => {
    const { wallet, mempool, alice, bob, fixture } = await walletSetup();
    const balance = fixture.ledger.account(alice.peerId).balance;
    const old = await wallet.send(bob.peerId, balance - 1, 1);
    await expect(wallet.bump(old, 2)).rejects.toMatchObject({ reason: 'insufficient-funds' });
    expect(mempool.has(old)).toBe(true);
  });
});

describe('wallet fees under minfee2', () => {
  it('defaults to the next block minimum, 1 before activation and 2 after, and refuses less than it', async () => {
    const early = { name: MINFEE2, bit: 0, startHeight: 0, timeoutHeight: 800, window: 8, threshold: 6 };
    const fixture = await setup({ params: { deployments: [early] } });
    const [alice, bob] = (await signers(1, 2)) as [Signer, Signer];
    await mineBlocks(fixture, alice.peerId, 22);
    const mempool = createMempool({ params: fixture.ledger.params, clock: fixture.clock, nextBlockParams: () => fixture.ledger.nextBlockParams() });
    const submit = (tx: Tx) => {
      const added = mempool.add(tx, txId(tx), fixture.ledger.account);
      return added.ok ? { ok: true as const, value: txId(tx) } : added;
    };
    const wallet = createWallet(NETWORK, { signer: alice, ledger: fixture.ledger, mempool, submit });
    expect(mempool.get(await wallet.send(bob.peerId, 10))).toMatchObject({ fee: 1 });
    const [block] = await mineBlocks(fixture, alice.peerId, 1, mempool.selectForBlock(10, fixture.ledger.account).map((entry) => entry.tx));
    mempool.onTip({ connected: [block!], disconnected: [] }, fixture.ledger.account);
    expect(fixture.ledger.deployments()[0]!.state).toBe('ACTIVE');
    expect(mempool.get(await wallet.send(bob.peerId, 10))).toMatchObject({ fee: 2, nonce: 1 });
    await expect(wallet.send(bob.peerId, 10, 1)).rejects.toMatchObject({ reason: 'fee-too-low', message: 'fee must be at least 2' });
  });
});
