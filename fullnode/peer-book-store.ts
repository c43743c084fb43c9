/**
 * The full node's peer book across restarts: the signed peer records it
 * holds are kept in the store's meta (as their canonical encodings, hex) and
 * read back on start through the same checks as records from a peer, parse,
 * network and expiry, and signature, so a tampered file adds nothing.
 */
import { fromHex, toHex } from '../src/core/bytes.ts';
import type { PeerBook } from '../src/core/peers/peer-book.ts';
import { checkPeerRecord, encodePeerRecord, parsePeerRecord, peerRecordVerifyItem, type PeerRecord } from '../src/core/peers/peer-record.ts';
import type { Clock, Logger, Verifier } from '../src/core/types.ts';
import type { LedgerStore } from '../src/storage/ledger-store.ts';

const META_KEY = 'peerBook';

export interface PeerBookStoreComponents {
  store: Pick<LedgerStore, 'getMeta'>;
  verifier: Verifier;
  clock: Clock;
  log: Logger;
  book: PeerBook;
}

/** Adds the stored records that still check out to `book`; returns how many. */
export async function loadPeerBook(components: PeerBookStoreComponents, network: string): Promise<number> {
  const { store, verifier, clock, log, book } = components;
  const stored = await store.getMeta<unknown>(META_KEY);
  if (stored === undefined) return 0;
  if (!Array.isArray(stored) || !stored.every((entry) => typeof entry === 'string')) {
    log.warn('the stored peer book is malformed; starting with an empty one', { key: META_KEY });
    return 0;
  }
  const records: PeerRecord[] = [];
  for (const hex of stored as string[]) {
    const bytes = fromHex(hex);
    const parsed = bytes ? parsePeerRecord(bytes) : undefined;
    const checked = parsed?.ok ? checkPeerRecord(parsed.value, { network, nowMs: clock.nowMs() }) : undefined;
    if (checked?.ok) records.push(checked.value);
  }
  const valid = await verifier.verify(records.map((record) => peerRecordVerifyItem(network, record)));
  let added = 0;
  records.forEach((record, index) => {
    if (valid[index] && book.upsert(record, clock.nowMs()) === 'added') added++;
  });
  log.info('loaded the peer book', { stored: stored.length, added });
  return added;
}

/** Writes every record in `book` to the store; a failure is logged, not thrown (the book is a cache). */
export async function savePeerBook(store: Pick<LedgerStore, 'putMeta'>, book: PeerBook, network: string, log: Logger): Promise<void> {
  try {
    await store.putMeta(META_KEY, book.records().map((record) => toHex(encodePeerRecord(network, record))));
  } catch (error) {
    log.warn('could not save the peer book', { error: String(error) });
  }
}
