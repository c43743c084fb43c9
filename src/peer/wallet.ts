/**
 * This tab's sending side: checks a transfer against the ledger the way
 * every peer will, numbers it with the next nonce (past the ones already
 * waiting in the mempool), signs it and hands it to the node to gossip.
 * Sends are serialized so two quick sends never share a nonce.
 *
 * It also replaces its own pending transfers (docs/PROTOCOL.md, "Fee bump
 * and cancel"): the mempool keeps one transaction per sender and nonce and
 * lets a higher fee replace a lower one, so a bump re-signs the same
 * transfer at a higher fee, and a cancel re-signs the nonce as a transfer of
 * CANCEL_AMOUNT to CANCEL_SINK.
 */
import { accountArgument, BURN_ACCOUNT } from '../core/address.ts';
import { isHexOfLength } from '../core/bytes.ts';
import type { Ledger } from '../core/ledger/ledger.ts';
import type { Mempool } from '../core/ledger/mempool.ts';
import type { LedgerResult } from '../core/ledger/types.ts';
import { InvalidArgumentError } from '../core/result.ts';
import { assertUnsignedTx, signTx, type Tx, type UnsignedTx } from '../core/tx.ts';
import type { PeerId, Signer, TxId } from '../core/types.ts';

/**
 * Where a cancel sends its nonce: the burn account (core/address.ts), whose
 * key no one can sign with. A cancel cannot send to its own account
 * (consensus forbids self-transfers, state.ts) nor send 0 (amounts are at
 * least 1): it costs its fee plus CANCEL_AMOUNT.
 */
export const CANCEL_SINK: PeerId = BURN_ACCOUNT;
/** The smallest amount the ledger accepts (state.ts checkTxStateless). */
export const CANCEL_AMOUNT = 1;

/** The ledger or the wallet refused a transfer; `reason` is its named rule (e.g. 'insufficient-funds'). */
export class TxRejectedError extends Error {
  override readonly name = 'TxRejectedError';
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

export interface WalletComponents {
  signer: Signer;
  ledger: Ledger;
  mempool: Mempool;
  /** Admits and gossips a signed transaction, or returns the ledger's reason. */
  submit(tx: Tx): LedgerResult<TxId>;
}

export interface Wallet {
  /**
   * Signs and broadcasts a transfer to a `tm1…` address or 64-hex id; rejects with a clear Error naming the bad field or rule.
   * The fee defaults to the next block's minimum (Ledger.nextBlockParams: 1, or 2 once minfee2 is ACTIVE).
   */
  send(to: unknown, amount: unknown, fee?: unknown): Promise<TxId>;
  /** Replaces this account's pending transaction `id` by the same transfer at a higher `fee`; resolves the new id. */
  bump(id: unknown, fee: unknown): Promise<TxId>;
  /** Replaces this account's pending transaction `id` by a burn of CANCEL_AMOUNT, at `fee` (default: the old fee + 1); resolves the new id. */
  cancel(id: unknown, fee?: unknown): Promise<TxId>;
}

const shortTx = (id: TxId) => id.slice(0, 12);

export function createWallet(network: string, components: WalletComponents): Wallet {
  const { signer, ledger, mempool } = components;
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs `job` after every earlier send or replacement, so nonces and balances are read one at a time. */
  function serialized<T>(job: () => Promise<T>): Promise<T> {
    const result = queue.then(job);
    // The caller receives this job's error through `result`; the queue only needs to move on.
    queue = result.catch(() => undefined);
    return result;
  }

  async function signAndSubmit(unsigned: UnsignedTx): Promise<TxId> {
    const tx = await signTx(network, unsigned, signer);
    const result = components.submit(tx);
    if (!result.ok) throw new TxRejectedError(result.reason, `transaction refused (${result.reason}): ${result.detail}`);
    return result.value;
  }

  async function sendNow(to: PeerId, amount: number, fee: number): Promise<TxId> {
    const nonce = mempool.pendingNonce(signer.peerId, ledger.account);
    const unsigned = { from: signer.peerId, to, amount, fee, nonce };
    assertUnsignedTx(unsigned);
    // The next block's minimum: an ACTIVE deployment may raise it above params.minFee (deployments.ts).
    const { minFee } = ledger.nextBlockParams();
    if (fee < minFee) throw new TxRejectedError('fee-too-low', `fee must be at least ${minFee}`);
    const available = ledger.account(signer.peerId).balance - mempool.pendingSpend(signer.peerId);
    if (amount + fee > available) {
      throw new TxRejectedError('insufficient-funds', `insufficient funds: amount plus fee is ${amount + fee}, but only ${available} is available`);
    }
    return signAndSubmit(unsigned);
  }

  /** This account's transaction `id`, still pending here; otherwise a TxRejectedError saying why it cannot be replaced. */
  async function ownPending(id: TxId): Promise<Tx> {
    const tx = mempool.get(id);
    if (!tx) {
      const location = await ledger.txLocation(id);
      if (location) throw new TxRejectedError('already-confirmed', `transaction ${shortTx(id)} is already confirmed in block #${location.height}; it can no longer be replaced`);
      throw new TxRejectedError('unknown-tx', `transaction ${shortTx(id)} is not pending here (unknown, replaced, dropped or expired)`);
    }
    if (tx.from !== signer.peerId) throw new TxRejectedError('not-ours', `transaction ${shortTx(id)} was sent by another account; only its sender can replace it`);
    return tx;
  }

  /** Re-signs the nonce of pending transaction `id` as `to`/`amount` at `fee` (undefined: the lowest allowed). */
  async function replaceNow(id: TxId, fee: number | undefined, make: (old: Tx) => { to: PeerId; amount: number }): Promise<TxId> {
    const old = await ownPending(id);
    const minimum = old.fee + 1; // mempool.ts: a replacement must pay strictly more than the transaction it replaces
    const newFee = fee ?? minimum;
    if (newFee < minimum) {
      throw new TxRejectedError('replacement-fee-too-low', `a replacement of ${shortTx(id)} needs a fee of at least ${minimum} (it pays ${old.fee})`);
    }
    const { to, amount } = make(old);
    const unsigned = { from: signer.peerId, to, amount, fee: newFee, nonce: old.nonce };
    assertUnsignedTx(unsigned);
    // What the old transaction held back is freed by its replacement; later nonces must still be covered.
    const available = ledger.account(signer.peerId).balance - mempool.pendingSpend(signer.peerId) + old.amount + old.fee;
    if (amount + newFee > available) {
      throw new TxRejectedError('insufficient-funds', `insufficient funds: the replacement costs ${amount + newFee}, but only ${available} is available`);
    }
    try {
      return await signAndSubmit(unsigned);
    } catch (error) {
      // Mined while this was being signed: the nonce is used.
      if (error instanceof TxRejectedError && error.reason === 'bad-nonce') {
        throw new TxRejectedError('already-confirmed', `transaction ${shortTx(id)} was confirmed meanwhile; it can no longer be replaced`);
      }
      throw error;
    }
  }

  function txIdArgument(id: unknown): TxId {
    if (!isHexOfLength(id, 32)) throw new InvalidArgumentError('id must be a transaction id (64 lower-case hex characters)');
    return id;
  }

  function feeArgument(fee: unknown): number {
    if (typeof fee !== 'number' || !Number.isSafeInteger(fee) || fee < 0) throw new InvalidArgumentError(`fee must be a non-negative integer, got ${String(fee)}`);
    return fee;
  }

  /** Checks arguments synchronously and turns a bad one into a rejection, as an async API should. */
  function attempt<T>(run: () => Promise<T>): Promise<T> {
    try {
      return run();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  return {
    send: (to, amount, fee) =>
      attempt(() => {
        const recipient = accountArgument(to, 'to');
        if (typeof amount !== 'number' || (fee !== undefined && typeof fee !== 'number')) throw new InvalidArgumentError('amount and fee must be integers');
        // No fee given: the lowest the next block takes, read when the send's turn comes.
        return serialized(() => sendNow(recipient, amount, fee ?? ledger.nextBlockParams().minFee));
      }),
    bump: (id, fee) =>
      attempt(() => {
        const txId = txIdArgument(id);
        const newFee = feeArgument(fee);
        return serialized(() => replaceNow(txId, newFee, (old) => ({ to: old.to, amount: old.amount })));
      }),
    cancel: (id, fee) =>
      attempt(() => {
        const txId = txIdArgument(id);
        const newFee = fee === undefined ? undefined : feeArgument(fee);
        return serialized(() => replaceNow(txId, newFee, () => ({ to: CANCEL_SINK, amount: CANCEL_AMOUNT })));
      }),
  };
}
