/**
 * Arbitraries of well-formed protocol values (frames, transactions, headers,
 * peer records, envelopes, trace frames), encoded with the project's own
 * encoders: the seeds that mutation starts from, and the inputs on which a
 * decoder must round-trip.
 */
import * as fc from 'fast-check';
import { ByteWriter, concatBytes, fromHex, utf8 } from '../core/bytes.ts';
import { packFrames } from '../core/frame-bundle.ts';
import { MAX_COMPACT_TXS, MAX_INV_ITEMS, SHORT_ID_BYTES, encodeFrame, type Frame, type InvItem } from '../core/frames.ts';
import { encodeBlock } from '../core/ledger/block.ts';
import type { BlockHeader } from '../core/ledger/types.ts';
import { MAX_RECORD_NEIGHBOURS, MAX_RECORD_TTL_MS, PEER_RECORD_VERSION } from '../core/peers/peer-record.ts';
import { GET_PEERS, MAX_RECORDS_PER_FRAME, MAX_SIGNAL_HOPS, MESH_SIGNAL, PEER_RECORDS } from '../core/peers/peers-frames.ts';
import { SIGNAL_VERSION } from '../core/signal-envelope.ts';
import { MAX_TRACE_HOPS, TRACE_REPORT, TRACE_REQUEST, encodeTraceReport, encodeTraceRequest } from '../core/trace/trace-frames.ts';
import type { Tx } from '../core/tx.ts';
import { hexOf } from './untrusted-json.ts';

const safe = (min = 0) => fc.integer({ min, max: Number.MAX_SAFE_INTEGER });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
/** Short strings of any code point, at most 160 UTF-8 bytes (a str8 holds 255). */
const text = fc.string({ unit: 'binary', maxLength: 40 });

export const txArbitrary: fc.Arbitrary<Tx> = fc.record({
  from: hexOf(32), to: hexOf(32), amount: safe(1), fee: safe(), nonce: safe(), signature: hexOf(64),
});

export const headerArbitrary: fc.Arbitrary<BlockHeader> = fc.record({
  version: fc.constant(1), prevHash: hexOf(32), height: u32, timeMs: safe(),
  // A zero target is refused by name ('bad-target'); a valid header has at least one bit set.
  target: hexOf(32).filter((hex) => /[1-9a-f]/.test(hex)), merkleRoot: hexOf(32), nonce: safe(), miner: hexOf(32),
});

const invItems = fc.array(
  fc.oneof(
    hexOf(SHORT_ID_BYTES).map((id): InvItem => ({ kind: 'tx', id })),
    hexOf(32).map((id): InvItem => ({ kind: 'block', id })),
  ),
  { minLength: 1, maxLength: 40 },
);
// Collections stay short in most inputs so runs are fast; the limits themselves are reached by mutation (boundary counts).
const shortList = <T>(item: fc.Arbitrary<T>, maxLength: number) => fc.array(item, { maxLength: Math.min(maxLength, 12) });

export const frameArbitrary: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({
    type: fc.constant('hello' as const), network: text, peerId: hexOf(32), tipHeight: u32, tipHash: hexOf(32), userAgent: text,
    identityStamp: safe(),
  }, { requiredKeys: ['type', 'network', 'peerId', 'tipHeight', 'tipHash', 'userAgent'] }),
  // The protocol range is positional: it follows a stamp (docs/PROTOCOL.md, "Versioning").
  fc.record({
    type: fc.constant('hello' as const), network: text, peerId: hexOf(32), tipHeight: u32, tipHash: hexOf(32), userAgent: text, identityStamp: safe(),
    protocol: fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), u32).map(([a, b, features]) => ({ min: Math.min(a, b), max: Math.max(a, b), features })),
  }),
  fc.record({ type: fc.constant('goodbye' as const), code: fc.integer({ min: 0, max: 0xff }), reason: text }),
  fc.record({ type: fc.constant('tx' as const), tx: txArbitrary }),
  fc.record({ type: fc.constantFrom('ping' as const, 'pong' as const), nonce: safe() }),
  fc.record({ type: fc.constant('block' as const), header: headerArbitrary, shortIds: shortList(hexOf(SHORT_ID_BYTES), MAX_COMPACT_TXS) }),
  fc.record({ type: fc.constant('getBlockTxs' as const), hash: hexOf(32), indexes: shortList(fc.integer({ min: 0, max: 0xffff }), MAX_COMPACT_TXS) }),
  fc.record({ type: fc.constant('blockTxs' as const), hash: hexOf(32), txs: fc.array(fc.record({ index: fc.integer({ min: 0, max: 0xffff }), tx: txArbitrary }), { maxLength: 3 }) }),
  fc.record({ type: fc.constant('getHeaders' as const), locator: fc.array(hexOf(32), { minLength: 1, maxLength: 8 }) }),
  fc.record({ type: fc.constant('headers' as const), headers: fc.array(headerArbitrary, { maxLength: 3 }) }),
  fc.record({ type: fc.constantFrom('inv' as const, 'getData' as const, 'notFound' as const), items: invItems.filter((items) => items.length <= MAX_INV_ITEMS) }),
);

export const frameBytes: fc.Arbitrary<Uint8Array> = frameArbitrary.map(encodeFrame);

/** Bundles of 2–6 valid frames (a single frame is sent as itself). */
export const bundleBytes: fc.Arbitrary<Uint8Array> = fc.array(frameBytes, { minLength: 2, maxLength: 6 })
  .map((frames) => packFrames(frames)[0]!);

export const blockBytes: fc.Arbitrary<Uint8Array> = fc.record({ header: headerArbitrary, txs: fc.array(txArbitrary, { maxLength: 4 }) }).map(encodeBlock);

/**
 * A peer record's encoding, laid out by hand (peer-record.ts, "Encoding"):
 * the decoder must accept it without a valid signature, which is checked
 * later in the worker, so none is made here. `issuedAtMs` picks the issue
 * time (any by default; near a clock for the stateful book target).
 */
export function peerRecordArbitrary(
  issuedAtMs = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - MAX_RECORD_TTL_MS }),
  identity: fc.Arbitrary<{ peerId: string; stampNonce: number }> = fc.record({ peerId: hexOf(32), stampNonce: safe() }),
  tag: fc.Arbitrary<Uint8Array> = fc.uint8Array({ minLength: 4, maxLength: 4 }),
): fc.Arbitrary<Uint8Array> {
  return fc.record({
    tag,
    identity,
    seq: safe(1),
    issuedAtMs,
    ttlMs: fc.integer({ min: 1, max: MAX_RECORD_TTL_MS }),
    tipHeight: u32,
    chainWork: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    flags: fc.constantFrom(0, 1),
    neighbours: fc.uniqueArray(hexOf(32), { maxLength: MAX_RECORD_NEIGHBOURS }),
    signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  }).map((r) => {
    const { peerId, stampNonce } = r.identity;
    const neighbours = r.neighbours.filter((id) => id !== peerId).sort();
    const writer = new ByteWriter().u8(PEER_RECORD_VERSION).bytes(r.tag).bytes(fromHex(peerId)!).u64(r.seq).u64(r.issuedAtMs).u64(r.issuedAtMs + r.ttlMs)
      .u32(r.tipHeight).bytes(r.chainWork).u64(stampNonce).u8(r.flags).u8(neighbours.length);
    for (const id of neighbours) writer.bytes(fromHex(id)!);
    return writer.bytes(r.signature).finish();
  });
}

export const peerRecordBytes = peerRecordArbitrary();

/**
 * A signal envelope laid out as signal-envelope.ts ("Encoding") does; its
 * encoder is private to signing, and the decoder must accept an envelope
 * without a valid signature (checked later, in the worker).
 */
export function encodeEnvelope(e: { from: string; to: string; sentAtMs: number; payload: string; signature: Uint8Array }): Uint8Array {
  return concatBytes(
    new ByteWriter().u8(SIGNAL_VERSION).bytes(fromHex(e.from)!).bytes(fromHex(e.to)!).u64(e.sentAtMs).bytes32(utf8(e.payload)).finish(),
    e.signature,
  );
}

export const envelopeBytes: fc.Arbitrary<Uint8Array> = fc.record({
  from: hexOf(32), to: hexOf(32), sentAtMs: safe(), payload: fc.string({ unit: 'binary', maxLength: 200 }), signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
}).map(encodeEnvelope);

/** A peers-module frame as [type, payload]: PEER_RECORDS, GET_PEERS or MESH_SIGNAL. */
export const peersFrameBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.array(peerRecordBytes, { minLength: 1, maxLength: 3 }).map((records) => concatBytes(Uint8Array.of(PEER_RECORDS, records.length), ...records)),
  fc.integer({ min: 1, max: MAX_RECORDS_PER_FRAME }).map((want) => Uint8Array.of(GET_PEERS, want)),
  fc.tuple(fc.integer({ min: 1, max: MAX_SIGNAL_HOPS }), envelopeBytes).map(([hops, envelope]) => concatBytes(Uint8Array.of(MESH_SIGNAL, hops), envelope)),
);

/** A trace frame as type byte + payload. */
export const traceFrameBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.record({ nonce: hexOf(8), txId: hexOf(32), origin: hexOf(32), issuedAtMs: safe(), hops: fc.integer({ min: 1, max: MAX_TRACE_HOPS }), signature: hexOf(64) })
    .map((request) => concatBytes(Uint8Array.of(TRACE_REQUEST), encodeTraceRequest(request))),
  fc.record({ nonce: hexOf(8), reporter: hexOf(32), firstSeenMs: safe(), from: fc.option(hexOf(32), { nil: 'origin' as const }), fromLinkedAtMs: safe() })
    .map((report) => concatBytes(Uint8Array.of(TRACE_REPORT), encodeTraceReport(report.from === 'origin' ? { ...report, fromLinkedAtMs: undefined } : report))),
);

