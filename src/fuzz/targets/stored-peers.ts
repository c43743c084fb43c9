/**
 * What a peer reads back from its store at start (src/peer/): the bans
 * (ban-store.ts), the peer book and the anchors (peer-book-store.ts). The
 * store is the tab's own, but IndexedDB is shared by every tab of the origin
 * and outlives code versions, so each loader treats what it reads as
 * untrusted: malformed entries are skipped with one warning, never thrown,
 * and what is loaded stays within its caps.
 */
import * as fc from 'fast-check';
import { isHexOfLength, toHex } from '../../core/bytes.ts';
import { createPeerBook } from '../../core/peers/peer-book.ts';
import { networkTag } from '../../core/peers/peer-record.ts';
import { nobleKeypair } from '../../crypto/ed25519.ts';
import type { Logger } from '../../core/types.ts';
import { MAX_RESTORED_BAN_MS, MAX_STORED_BANS, loadBans } from '../../peer/ban-store.ts';
import { MAX_ANCHORS, loadAnchors, loadPeerBook } from '../../peer/peer-book-store.ts';
import { invariant, outcome, type FuzzTarget } from '../fuzz-target.ts';
import { mutatedBytes } from '../mutate.ts';
import { hexOf, nestedJson, untrustedJson, untrustedJsonList } from '../untrusted-json.ts';
import { peerRecordArbitrary } from '../valid-core.ts';
import { TEST_STAMPS } from '../../../test/helpers/test-stamps.ts';

const NOW_MS = 1_800_000_000_000;
const BOOK_CAPACITY = 16;
/** A loader logs one warning for a malformed value and one for skipped entries, not one per entry: a damaged store must not flood the log. */
const MAX_WARNINGS = 2;

interface StoredPeersInput {
  key: 'bans' | 'book' | 'anchors';
  /** The stored value as JSON text (what getMeta would hand back, structured-cloned). */
  json: string;
}

const ban = fc.record({ peerId: hexOf(32), untilMs: fc.integer({ min: NOW_MS - 60_000, max: NOW_MS + 10 * MAX_RESTORED_BAN_MS }), reason: fc.string({ maxLength: 40 }) });
/**
 * Records the loader can keep: a stored record is checked like a received one
 * (network tag, times, identity stamp at main's 20 bits), so they are signed
 * for by test identities whose stamps are already minted (test/helpers/test-stamps.ts).
 */
const STAMPED = TEST_STAMPS.slice(0, 24).map((stampNonce, seed) => ({ peerId: toHex(nobleKeypair(new Uint8Array(32).fill(seed)).publicKey), stampNonce }));
const recordHex = peerRecordArbitrary(fc.integer({ min: NOW_MS - 60_000, max: NOW_MS }), fc.constantFrom(...STAMPED), fc.constant(networkTag('main')));
const bookEntry = fc.oneof(
  { arbitrary: recordHex.map((bytes) => JSON.stringify(toHex(bytes))), weight: 6 },
  { arbitrary: mutatedBytes(recordHex).map((bytes) => JSON.stringify(toHex(bytes))), weight: 6 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)), weight: 2 },
  { arbitrary: fc.constantFrom(nestedJson(20_000, 'array'), nestedJson(8_000, 'object')), weight: 1 },
);
const anchors = fc.record({ savedAtMs: fc.integer({ min: NOW_MS - 2 * 60 * 60_000, max: NOW_MS }), ids: fc.array(hexOf(32), { maxLength: MAX_ANCHORS }) });

function parseOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return fallback;
    throw error;
  }
}

function countingLog(): Logger & { warnings: number } {
  const log = { warnings: 0, info: () => undefined, warn: () => void log.warnings++ };
  return log;
}

async function load({ key, json }: StoredPeersInput): Promise<boolean> {
  // Text that is not JSON stands for a stored string.
  const stored = parseOr(json, json);
  const store = { getMeta: async <T>() => stored as T };
  const log = countingLog();
  let loaded: number;
  if (key === 'bans') {
    const kept = await loadBans(store, NOW_MS, log);
    invariant(kept.length <= MAX_STORED_BANS, `loadBans kept ${kept.length} bans, cap ${MAX_STORED_BANS}`);
    for (const ban of kept) {
      invariant(isHexOfLength(ban.peerId, 32) && typeof ban.reason === 'string', 'loadBans kept a malformed ban');
      invariant(ban.untilMs > NOW_MS && ban.untilMs <= NOW_MS + MAX_RESTORED_BAN_MS, `loadBans kept a ban until ${ban.untilMs}`);
    }
    loaded = kept.length;
  } else if (key === 'anchors') {
    const ids = await loadAnchors(store, NOW_MS, log);
    invariant(ids.length <= MAX_ANCHORS && new Set(ids).size === ids.length && ids.every((id) => isHexOfLength(id, 32)), 'loadAnchors returned malformed or too many ids');
    loaded = ids.length;
  } else {
    const peerBook = createPeerBook({ selfId: '00'.repeat(32), capacity: BOOK_CAPACITY, random: () => 0.5 });
    // Signatures are the verifier's business (tested with real keys elsewhere); here every one passes, so parsing and the caps decide.
    const verifier = { verify: async (items: readonly unknown[]) => items.map(() => true) };
    loaded = await loadPeerBook({ store, verifier, clock: { nowMs: () => NOW_MS }, log, book: peerBook }, 'main');
    // `loaded` counts additions; a full bucket evicts, so the book may end smaller.
    invariant(peerBook.size <= BOOK_CAPACITY, `loadPeerBook: book of ${peerBook.size}, capacity ${BOOK_CAPACITY}`);
  }
  invariant(log.warnings <= MAX_WARNINGS, `loading ${key} logged ${log.warnings} warnings`);
  return loaded > 0;
}

export const storedPeersTarget: FuzzTarget<StoredPeersInput> = {
  name: 'stored-peers',
  decoders: ['peer/ban-store.ts loadBans', 'peer/peer-book-store.ts loadPeerBook, loadAnchors'],
  arbitrary: fc.oneof(
    untrustedJsonList(untrustedJson(ban)).map((json) => ({ key: 'bans' as const, json })),
    untrustedJsonList(bookEntry).map((json) => ({ key: 'book' as const, json })),
    untrustedJson(anchors, ['ids', 'savedAtMs']).map((json) => ({ key: 'anchors' as const, json })),
  ),
  check: async (input) => outcome(await load(input)),
};
