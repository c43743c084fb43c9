/**
 * A peer's peer book across restarts, for every host (the full node's
 * LevelDB, a tab's IndexedDB): the signed peer records it holds are kept in
 * the store's meta (as their canonical encodings, hex) and read back on start
 * through the same checks as records from a peer, parse, network and expiry,
 * and signature, so a tampered store adds nothing. Each record carries its
 * own expiry (peer-record.ts), so a book stored long ago loads empty.
 *
 * Beside it, the anchors: the peers of our last outbound links that served
 * us (PeerInfo.answered: they answered our headers request), dialled first
 * on start, as Bitcoin Core's anchors.dat (net.cpp, "anchors"): a restart
 * returns to the neighbours it chose rather than whoever an introducer hands
 * it, which makes eclipsing a restarting peer harder.
 *
 * The store is typed by shape ({getMeta, putMeta}): peer/ knows no storage/.
 */
import { fromHex, isHexOfLength, toHex } from '../core/bytes.ts';
import type { PeerBook } from '../core/peers/peer-book.ts';
import { checkPeerRecord, encodePeerRecord, parsePeerRecord, peerRecordVerifyItem, type PeerRecord } from '../core/peers/peer-record.ts';
import type { Clock, Logger, PeerId, Verifier } from '../core/types.ts';

const BOOK_KEY = 'peerBook';
const ANCHORS_KEY = 'peerAnchors';

/**
 * Anchors kept: Bitcoin Core keeps 2 (its block-relay-only links); we keep up
 * to the outbound slots a tab reserves by default (mesh-maintainer.ts, ⌈D/2⌉ = 3)
 * and a few more, since tabs come and go more than full nodes.
 */
export const MAX_ANCHORS = 8;
/**
 * Anchors older than this are ignored: a tab keeps its id only for its session
 * (sessionStorage), so a peer not back within the hour is most likely a closed
 * tab whose id will never return.
 */
export const ANCHOR_MAX_AGE_MS = 60 * 60_000;

/** The part of a ledger store this uses (LedgerStore in storage/). */
export interface MetaStore {
  getMeta<T>(key: string): Promise<T | undefined>;
  putMeta(key: string, value: unknown): Promise<void>;
}

export interface PeerBookStoreComponents {
  store: Pick<MetaStore, 'getMeta'>;
  verifier: Verifier;
  clock: Clock;
  log: Logger;
  book: PeerBook;
}

/** Adds the stored records that still check out to `book`; returns how many. */
export async function loadPeerBook(components: PeerBookStoreComponents, network: string): Promise<number> {
  const { store, verifier, clock, log, book } = components;
  const stored = await store.getMeta<unknown>(BOOK_KEY);
  if (stored === undefined) return 0;
  if (!Array.isArray(stored) || !stored.every((entry) => typeof entry === 'string')) {
    log.warn('the stored peer book is malformed; starting with an empty one', { key: BOOK_KEY });
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

/** Writes every record in `book` to the store; false when that failed, which is logged, not thrown (the book is a cache). */
export async function savePeerBook(store: Pick<MetaStore, 'putMeta'>, book: PeerBook, network: string, log: Logger): Promise<boolean> {
  try {
    await store.putMeta(BOOK_KEY, book.records().map((record) => toHex(encodePeerRecord(network, record))));
    return true;
  } catch (error) {
    log.warn('could not save the peer book', { error: String(error) });
    return false;
  }
}

/** Stores the ids of our outbound links as the anchors (at most MAX_ANCHORS); a failure is logged, not thrown. */
export async function saveAnchors(store: Pick<MetaStore, 'putMeta'>, ids: readonly PeerId[], nowMs: number, log: Logger): Promise<void> {
  try {
    await store.putMeta(ANCHORS_KEY, { savedAtMs: nowMs, ids: ids.slice(0, MAX_ANCHORS) });
  } catch (error) {
    log.warn('could not save the anchors', { error: String(error) });
  }
}

/** The stored anchors, if well formed and younger than ANCHOR_MAX_AGE_MS; otherwise none. */
export async function loadAnchors(store: Pick<MetaStore, 'getMeta'>, nowMs: number, log: Logger): Promise<PeerId[]> {
  const stored = await store.getMeta<unknown>(ANCHORS_KEY);
  if (stored === undefined) return [];
  const value = stored as { savedAtMs?: unknown; ids?: unknown };
  const wellFormed = typeof stored === 'object' && stored !== null && typeof value.savedAtMs === 'number' && Number.isFinite(value.savedAtMs)
    && Array.isArray(value.ids) && value.ids.length <= MAX_ANCHORS && value.ids.every((id) => isHexOfLength(id, 32));
  if (!wellFormed) {
    log.warn('the stored anchors are malformed; ignored', { key: ANCHORS_KEY });
    return [];
  }
  const ageMs = nowMs - (value.savedAtMs as number);
  // A clock set back makes the age negative: such anchors are as good as fresh ones.
  if (ageMs > ANCHOR_MAX_AGE_MS) return [];
  return [...new Set(value.ids as PeerId[])];
}

/** What the keeper reads of a running peer (peer/mesh-peer.ts MeshPeer). */
export interface KeptPeer {
  peers: { book: PeerBook };
  node: { peers(): { id: PeerId; direction: 'in' | 'out'; answered?: boolean }[] };
  /** isFeeler: a feeler link (a test link closed after HELLO, mesh-maintainer-healing.ts) is no anchor. */
  mesh: { prefer(ids: readonly PeerId[]): void; isFeeler?(peerId: PeerId): boolean };
}

export interface PeerBookKeeper {
  /** Records stored at the last start that checked out. */
  readonly loaded: number;
  /** The anchors loaded at start (handed to the mesh to dial first). */
  readonly anchors: PeerId[];
  /** Writes the book (when it changed) and the anchors (when we have outbound links). Never throws. */
  save(): Promise<void>;
}

/**
 * Loads the stored book and anchors into a peer that has not started yet
 * (the anchors go to mesh.prefer, so they are dialled first), and returns
 * save() for the host's timer and its shutdown.
 */
export async function keepPeerBook(components: Omit<PeerBookStoreComponents, 'book' | 'store'> & { store: MetaStore; peer: KeptPeer }, network: string): Promise<PeerBookKeeper> {
  const { store, clock, log, peer } = components;
  const book = peer.peers.book;
  const loaded = await loadPeerBook({ ...components, book }, network);
  const anchors = await loadAnchors(store, clock.nowMs(), log);
  peer.mesh.prefer(anchors);
  if (anchors.length > 0) log.info('dialling the anchors first', { anchors: anchors.length });
  let savedBook = '';
  return {
    loaded,
    anchors,
    async save() {
      // Read before the first await: a host shutting down closes its links right after calling save().
      // Only peers that served us (PeerInfo.answered): a host's id we happened to dial is no anchor.
      const outbound = peer.node.peers().filter((link) => link.direction === 'out' && link.answered && !peer.mesh.isFeeler?.(link.id)).map((link) => link.id);
      // Records are replaced only by newer ones (higher seq), so ids and seqs tell whether the book changed.
      const fingerprint = book.records().map((record) => `${record.peerId}:${record.seq}`).join();
      if (fingerprint !== savedBook && (await savePeerBook(store, book, network, log))) savedBook = fingerprint;
      // Without outbound links (offline, or just started) the previous anchors are worth more than none.
      if (outbound.length > 0) await saveAnchors(store, outbound, clock.nowMs(), log);
    },
  };
}
