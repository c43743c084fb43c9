/**
 * Peer records (core/peers/peer-record.ts), the peers module's frames
 * (core/peers/peers-frames.ts), and the peer book they fill
 * (core/peers/peer-book.ts): a stateful consumer whose size must stay within
 * its capacity whatever records arrive.
 */
import * as fc from 'fast-check';
import { equalBytes } from '../../core/bytes.ts';
import { createPeerBook } from '../../core/peers/peer-book.ts';
import { checkPeerRecord, encodePeerRecord, networkTag, parsePeerRecord, type PeerRecord } from '../../core/peers/peer-record.ts';
import { decodePeersFrame, encodeGetPeers, encodeMeshSignal, encodePeerRecords } from '../../core/peers/peers-frames.ts';
import { createPrng } from '../../sim/prng.ts';
import { checkResult, invariant, outcome, sameBytes, type FuzzOutcome, type FuzzTarget } from '../fuzz-target.ts';
import { mutatedBytes, untrustedBytes } from '../mutate.ts';
import { peerRecordArbitrary, peerRecordBytes, peersFrameBytes } from '../valid-core.ts';

/**
 * Re-encodes a parsed record from its fields. encodePeerRecord writes the tag
 * of the network it is given, and a parsed record's network is unknown, so
 * the tag (bytes 1–4) is compared apart. The spread drops the cached encoding.
 */
function reencode(record: PeerRecord, original: Uint8Array, what: string): void {
  const again = encodePeerRecord('fuzz', { ...record });
  sameBytes(again.subarray(5), original.subarray(5), what);
  invariant(again[0] === original[0], `${what}: version byte differs`);
}

export const peerRecordsTarget: FuzzTarget<Uint8Array> = {
  name: 'peer-records',
  decoders: ['core/peers/peer-record.ts parsePeerRecord, checkPeerRecord'],
  arbitrary: untrustedBytes(peerRecordBytes, 800),
  check: (bytes) => {
    const parsed = parsePeerRecord(bytes);
    if (!checkResult(parsed, 'parsePeerRecord') || !parsed.ok) return 'rejected';
    reencode(parsed.value.record, bytes, 'parsePeerRecord');
    checkResult(checkPeerRecord(parsed.value, { network: 'main', nowMs: parsed.value.record.issuedAtMs, stampBits: 0 }), 'checkPeerRecord');
    return 'accepted';
  },
};

export const peersFramesTarget: FuzzTarget<Uint8Array> = {
  name: 'peers-frames',
  decoders: ['core/peers/peers-frames.ts decodePeersFrame (PEER_RECORDS, GET_PEERS, MESH_SIGNAL)'],
  // The first byte is the frame type (0x10–0x12, or another after mutation); the rest the payload.
  arbitrary: untrustedBytes(peersFrameBytes, 1024),
  check: (bytes) => {
    if (bytes.length === 0) return 'rejected';
    const payload = bytes.subarray(1);
    const decoded = decodePeersFrame(bytes[0]!, payload);
    if (!checkResult(decoded, 'decodePeersFrame') || !decoded.ok) return 'rejected';
    const message = decoded.value;
    if (message.kind === 'getPeers') sameBytes(encodeGetPeers(message.want), payload, 'GET_PEERS');
    if (message.kind === 'signal') {
      sameBytes(encodeMeshSignal(message.hops, message.envelopeBytes), payload, 'MESH_SIGNAL');
      invariant(equalBytes(message.envelopeBytes, payload.subarray(1)), 'MESH_SIGNAL: envelopeBytes are not the payload after the hop count');
    }
    if (message.kind === 'records') {
      // Cached encodings make encodePeerRecords return what was read; each record is re-encoded from its fields too.
      sameBytes(encodePeerRecords('fuzz', message.records.map((parsed) => parsed.record)).subarray(0, 1), payload.subarray(0, 1), 'PEER_RECORDS count');
      let offset = 1;
      for (const parsed of message.records) {
        const length = encodePeerRecord('fuzz', { ...parsed.record }).length;
        reencode(parsed.record, payload.subarray(offset, offset + length), 'PEER_RECORDS record');
        offset += length;
      }
      invariant(offset === payload.length, `PEER_RECORDS: records cover ${offset} of ${payload.length} bytes`);
    }
    return 'accepted';
  },
};

const NOW_MS = 1_800_000_000_000;
const MAIN_TAG = networkTag('main');
const BOOK_CAPACITY = 16;

/** Records issued around NOW_MS (so most are live), with mutations; ids collide often enough to exercise replacement. */
const liveRecord = fc.oneof(
  peerRecordArbitrary(fc.integer({ min: NOW_MS - 20 * 60_000, max: NOW_MS + 60_000 })),
  mutatedBytes(peerRecordArbitrary(fc.integer({ min: NOW_MS - 60_000, max: NOW_MS }))),
);

interface BookInput {
  seed: number;
  steps: { record: Uint8Array; source: number; tried: boolean; advanceMs: number }[];
}

export const peerBookTarget: FuzzTarget<BookInput> = {
  name: 'peer-book',
  decoders: ['core/peers/peer-book.ts upsert/markTried/prune, fed by parsePeerRecord + checkPeerRecord (stateful: size within capacity)'],
  arbitrary: fc.record({
    seed: fc.nat({ max: 2 ** 32 - 1 }),
    steps: fc.array(fc.record({ record: liveRecord, source: fc.nat({ max: 7 }), tried: fc.boolean(), advanceMs: fc.constantFrom(0, 0, 1_000, 600_000) }), { minLength: 1, maxLength: 80 }),
  }),
  check: ({ seed, steps }): FuzzOutcome => {
    const prng = createPrng(seed);
    const book = createPeerBook({ selfId: '00'.repeat(32), capacity: BOOK_CAPACITY, random: () => prng.next() });
    let nowMs = NOW_MS;
    let added = 0;
    for (const step of steps) {
      nowMs += step.advanceMs;
      const parsed = parsePeerRecord(step.record);
      if (!checkResult(parsed, 'parsePeerRecord') || !parsed.ok) continue;
      // The book's callers check a record's network, times and stamp before it is kept (peers-module.ts); the tag is set so mutated records reach the book.
      const checked = checkPeerRecord({ ...parsed.value, networkTag: MAIN_TAG }, { network: 'main', nowMs, stampBits: 0 });
      if (!checkResult(checked, 'checkPeerRecord') || !checked.ok) continue;
      if (book.upsert(checked.value, nowMs, `source-${step.source}`) === 'added') added++;
      if (step.tried) book.markTried(checked.value.peerId, nowMs);
      if (step.advanceMs > 0) book.prune(nowMs);
      const counts = Object.values(book.counts()).reduce((sum, count) => sum + count, 0);
      invariant(book.size <= BOOK_CAPACITY, `peer book holds ${book.size} records, capacity ${BOOK_CAPACITY}`);
      invariant(counts === book.size, `peer book tables count ${counts} records, the book ${book.size}`);
    }
    return outcome(added > 0);
  },
};
