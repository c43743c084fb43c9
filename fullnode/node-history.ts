/**
 * The full node's wallet history, as a tab keeps it (app/start-peer.ts): its
 * own transactions, sent and received, go to the store's `txs` through the
 * write-behind queue, and the pending ones stored before a restart go back
 * into the mempool, so a send made just before a crash is not forgotten.
 */
import type { TabmeshNode } from '../src/core/node.ts';
import { decodeTx, encodeTx } from '../src/core/tx.ts';
import type { Clock, Logger, PeerId } from '../src/core/types.ts';
import { inHistoryOf } from '../src/storage/chain-commits.ts';
import type { LedgerStore } from '../src/storage/ledger-store.ts';
import { createTxHistoryWriter, type TxHistoryWriter } from '../src/storage/tx-history-writer.ts';

/** Pending transactions looked at on start; a node's own unconfirmed sends are far fewer. */
const PENDING_ON_START = 5_000;

export interface WalletHistoryComponents {
  node: TabmeshNode;
  store: LedgerStore;
  clock: Clock;
  log: Logger;
}

export async function keepWalletHistory(components: WalletHistoryComponents, owner: PeerId): Promise<TxHistoryWriter> {
  const { node, store, clock, log } = components;
  const history = createTxHistoryWriter({ store, onError: (message, error) => log.warn(message, { error: String(error) }) });

  const stored = await store.listRecentTxs(PENDING_ON_START);
  node.rememberTxs(stored.filter((record) => record.status === 'confirmed').map((record) => record.id));
  const pending = stored.filter((record) => record.status === 'pending').flatMap((record) => {
    const decoded = decodeTx(record.bytes);
    if (decoded.ok) return [{ tx: decoded.value, id: record.id }];
    log.warn('a stored transaction is corrupt and was skipped', { id: record.id, reason: decoded.detail });
    return [];
  });
  const refused = await node.restoreTxs(pending);
  for (const id of refused) history.drop(id);
  if (pending.length > 0) log.info('restored pending transactions', { restored: pending.length - refused.length, dropped: refused.length });

  node.events.on('tx', (tx, id, source) => {
    if (inHistoryOf(owner, tx)) history.put({ id, bytes: encodeTx(tx), receivedAtMs: clock.nowMs(), status: 'pending', source });
  });
  node.events.on('txs-dropped', (ids) => ids.forEach((id) => history.drop(id)));
  return history;
}
