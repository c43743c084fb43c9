import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { createPeerBook } from '../core/peers/peer-book.ts';
import { DEFAULT_RECORD_TTL_MS, signPeerRecord } from '../core/peers/peer-record.ts';
import { ANCHOR_MAX_AGE_MS, MAX_ANCHORS, keepPeerBook, loadAnchors, loadPeerBook, saveAnchors, savePeerBook } from './peer-book-store.ts';
import { metaStore } from '../../test/helpers/meta-store.ts';

const network = 'test-book-store';
const quiet = { info: () => undefined, warn: () => undefined };


async function bookWithRecords(nowMs: number) {
  const self = await testSigner(1);
  const book = createPeerBook({ selfId: self.peerId, random: () => 0 });
  for (const seed of [2, 3]) {
    const signer = await testSigner(seed);
    const record = await signPeerRecord(network, signer, { seq: 1, issuedAtMs: nowMs, expiresAtMs: nowMs + DEFAULT_RECORD_TTL_MS, acceptsInbound: true, neighbours: [] });
    expect(book.upsert(record, nowMs)).toBe('added');
  }
  return { self, book };
}

describe('peer book store', () => {
  it('keeps our outbound links that answered us as anchors, but not feelers, inbound links or silent ones', async () => {
    const self = await testSigner(1);
    const store = metaStore();
    const nowMs = Date.UTC(2026, 0, 1);
    const ids = ['aa', 'bb', 'cc', 'dd', 'ee'].map((byte) => byte.repeat(32));
    const links = [
      { id: ids[0]!, direction: 'out' as const, answered: true }, { id: ids[1]!, direction: 'out' as const, answered: true },
      { id: ids[2]!, direction: 'in' as const }, { id: ids[3]!, direction: 'out' as const, answered: true },
      { id: ids[4]!, direction: 'out' as const }, // dialled, but it never answered our headers request (a host's id)
    ];
    const keeper = await keepPeerBook({
      store, verifier: nodeVerifier, clock: { nowMs: () => nowMs }, log: quiet,
      peer: { peers: { book: createPeerBook({ selfId: self.peerId, random: () => 0 }) }, node: { peers: () => links }, mesh: { prefer: () => undefined, isFeeler: (id) => id === ids[1] } },
    }, network);
    await keeper.save();
    expect(await loadAnchors(store, nowMs, quiet)).toEqual([ids[0], ids[3]]);
  });

  it('records round-trip through the store; tampered and expired ones do not load', async () => {
    const nowMs = 1_800_000_000_000;
    const { self, book } = await bookWithRecords(nowMs);
    const store = metaStore();
    await savePeerBook(store, book, network, quiet);
    const fresh = () => createPeerBook({ selfId: self.peerId, random: () => 0 });

    const loaded = fresh();
    expect(await loadPeerBook({ store, verifier: nodeVerifier, clock: { nowMs: () => nowMs }, log: quiet, book: loaded }, network)).toBe(2);
    expect(loaded.peerIds().sort()).toEqual(book.peerIds().sort());

    // Another network's records do not check out.
    expect(await loadPeerBook({ store, verifier: nodeVerifier, clock: { nowMs: () => nowMs }, log: quiet, book: fresh() }, 'test-other')).toBe(0);
    // Past their expiry, nothing loads.
    expect(await loadPeerBook({ store, verifier: nodeVerifier, clock: { nowMs: () => nowMs + DEFAULT_RECORD_TTL_MS + 1 }, log: quiet, book: fresh() }, network)).toBe(0);

    // One flipped hex digit in a signature: that record is refused, the other loads.
    const stored = store.values.get('peerBook') as string[];
    const last = stored[0]!.at(-1) === '0' ? '1' : '0';
    store.values.set('peerBook', [stored[0]!.slice(0, -1) + last, stored[1]!]);
    expect(await loadPeerBook({ store, verifier: nodeVerifier, clock: { nowMs: () => nowMs }, log: quiet, book: fresh() }, network)).toBe(1);

    store.values.set('peerBook', { not: 'a list' });
    expect(await loadPeerBook({ store, verifier: nodeVerifier, clock: { nowMs: () => nowMs }, log: quiet, book: fresh() }, network)).toBe(0);
  });

  it('anchors load while young and well formed, at most MAX_ANCHORS', async () => {
    const store = metaStore();
    const ids = Array.from({ length: MAX_ANCHORS + 2 }, (_, i) => i.toString(16).padStart(64, 'a'));
    expect(await loadAnchors(store, 0, quiet)).toEqual([]);
    await saveAnchors(store, ids, 1_000, quiet);
    expect(await loadAnchors(store, 1_000 + ANCHOR_MAX_AGE_MS, quiet)).toEqual(ids.slice(0, MAX_ANCHORS));
    expect(await loadAnchors(store, 1_001 + ANCHOR_MAX_AGE_MS, quiet), 'too old').toEqual([]);
    store.values.set('peerAnchors', { savedAtMs: 1_000, ids: ['not-an-id'] });
    expect(await loadAnchors(store, 1_000, quiet)).toEqual([]);
    store.values.set('peerAnchors', 'garbage');
    expect(await loadAnchors(store, 1_000, quiet)).toEqual([]);
  });

  it('a store that fails to write is logged, not thrown', async () => {
    const warnings: string[] = [];
    const failing = { putMeta: async () => Promise.reject(new Error('quota')) };
    await saveAnchors(failing, [], 0, { info: () => undefined, warn: (message) => warnings.push(message) });
    expect(warnings).toEqual(['could not save the anchors']);
  });
});
