/**
 * This tab's sending side: checks a transfer against the ledger the way
 * every peer will, numbers it with the next nonce (past the ones already
 * waiting in the mempool), signs it and hands it to the node to gossip.
 * Sends are serialized so two quick sends never share a nonce.
 */
import type { Ledger } from '../core/ledger/ledger.ts';
import type { Mempool } from '../core/ledger/mempool.ts';
import type { LedgerResult } from '../core/ledger/types.ts';
import { InvalidArgumentError } from '../core/result.ts';
import { assertUnsignedTx, signTx, type Tx } from '../core/tx.ts';
import type { Signer, TxId } from '../core/types.ts';

/** The ledger refused a transfer; `reason` is its named rule (e.g. 'insufficient-funds'). */
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

export type Wallet = ReturnType<typeof createWallet>;

export function createWallet(network: string, components: WalletComponents) {
  const { signer, ledger, mempool } = components;
  let queue: Promise<unknown> = Promise.resolve();

  async function sendNow(to: string, amount: number, fee: number): Promise<TxId> {
    const nonce = mempool.pendingNonce(signer.peerId, ledger.account);
    const unsigned = { from: signer.peerId, to, amount, fee, nonce };
    assertUnsignedTx(unsigned);
    if (fee < ledger.params.minFee) throw new TxRejectedError('fee-too-low', `fee must be at least ${ledger.params.minFee}`);
    const available = ledger.account(signer.peerId).balance - mempool.pendingSpend(signer.peerId);
    if (amount + fee > available) {
      throw new TxRejectedError('insufficient-funds', `insufficient funds: amount plus fee is ${amount + fee}, but only ${available} is available`);
    }
    const tx = await signTx(network, unsigned, signer);
    const result = components.submit(tx);
    if (!result.ok) throw new TxRejectedError(result.reason, `transaction refused (${result.reason}): ${result.detail}`);
    return result.value;
  }

  return {
    /** Signs and broadcasts a transfer; rejects with a clear Error naming the bad field or rule. */
    send(to: unknown, amount: unknown, fee: unknown = 1): Promise<TxId> {
      if (typeof to !== 'string') return Promise.reject(new InvalidArgumentError('to must be a peer id (64 hex characters)'));
      if (typeof amount !== 'number' || typeof fee !== 'number') return Promise.reject(new InvalidArgumentError('amount and fee must be integers'));
      const result = queue.then(() => sendNow(to.trim().toLowerCase(), amount, fee));
      // The caller receives this send's error through `result`; the queue only needs to move on.
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
