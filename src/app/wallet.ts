/**
 * This tab's sending side: numbers its transactions with the next nonce,
 * signs them and hands them to the node to gossip.
 * Sends are serialized so two quick sends never share a nonce.
 */
import { InvalidArgumentError } from '../core/result.ts';
import { assertUnsignedTx, signTx, type Tx } from '../core/tx.ts';
import type { Signer, TxId } from '../core/types.ts';
import type { LedgerStore } from '../storage/ledger-store.ts';

const NONCE_META = 'next-nonce';

export interface WalletComponents {
  signer: Signer;
  store: LedgerStore;
  /** Gossips a signed transaction; returns its id. */
  submit(tx: Tx): TxId;
}

export function createWallet(network: string, components: WalletComponents) {
  const { signer, store } = components;
  let queue: Promise<unknown> = Promise.resolve();

  async function sendNow(to: string, amount: number, fee: number): Promise<TxId> {
    const nonce = (await store.getMeta<number>(NONCE_META)) ?? 0;
    const unsigned = { from: signer.peerId, to, amount, fee, nonce };
    assertUnsignedTx(unsigned);
    const tx = await signTx(network, unsigned, signer);
    await store.putMeta(NONCE_META, nonce + 1);
    // The node emits the transaction like any other; the app's single tx handler persists it.
    return components.submit(tx);
  }

  return {
    /** Signs and broadcasts a transfer; rejects with a clear Error naming the bad field. */
    send(to: unknown, amount: unknown, fee: unknown = 1): Promise<TxId> {
      if (typeof to !== 'string') return Promise.reject(new InvalidArgumentError('to must be a peer id (64 hex characters)'));
      if (typeof amount !== 'number' || typeof fee !== 'number') return Promise.reject(new InvalidArgumentError('amount and fee must be integers'));
      const result = queue.then(() => sendNow(to.toLowerCase(), amount, fee));
      // The caller receives this send's error through `result`; the queue only needs to move on.
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
