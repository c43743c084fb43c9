/**
 * Signed, expiring peer records (docs/PROTOCOL.md, "Peer record"; issue 4 §2,
 * issue 6 §1): what a peer says about itself: that it exists on this network
 * now, which peers it is linked to, whether it takes more inbound links, the
 * chain it is on (tip height and cumulative work) and its identity stamp.
 * Records are gossiped (peer-exchange.ts), so each tab learns the peers it may
 * dial without the relay and can draw the whole graph; and a tab that hears
 * of more work than its links offer dials across (issue 20, "Healing":
 * net/mesh-maintainer.ts).
 *
 * Encoding (big-endian), version 2:
 *   version u8 (=2) | networkTag 4 | peerId 32 | seq u64 | issuedAtMs u64 |
 *   expiresAtMs u64 | tipHeight u32 | chainWork u128 | stampNonce u64 |
 *   flags u8 | neighbourCount u8 (<= 16) | neighbours 32 × n | signature 64
 * Signed: "tabmesh/peer-record/v2" ‖ str8(network) ‖ encoding without signature
 *
 * chainWork saturates at 2^128 - 1 (a chain that heavy would take every
 * computer for longer than the universe has existed; 16 bytes rather than 32
 * keep 24 full records in one 16 KiB frame). stampNonce is the identity
 * stamp (core/identity-stamp.ts) of peerId. Version 1 (without the three)
 * is refused as 'bad-version': every peer of a network runs one build.
 *
 * Canonical: neighbours strictly ascending (so unique), no unknown flag bits,
 * no trailing bytes; one record has exactly one encoding, checked by golden
 * vectors in peer-record.test.ts.
 *
 * networkTag is the first 4 bytes of SHA-256(network). The signature already
 * binds the network; the tag lets a record of another network be told apart
 * from a forged one, so it is dropped, not punished.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, ByteWriter, TruncatedInputError, concatBytes, equalBytes, fromHex, isHexOfLength, toHex, utf8 } from '../bytes.ts';
import { checkIdentityStamp } from '../identity-stamp.ts';
import { chainParams } from '../ledger/params.ts';
import { InvalidArgumentError, accept, reject, type Result } from '../result.ts';
import type { PeerId, Signer, VerifyItem } from '../types.ts';

export const PEER_RECORD_VERSION = 2;
const DOMAIN = utf8('tabmesh/peer-record/v2');
/**
 * Neighbours listed per record. The mesh's high mark is 12 links; 16 leaves
 * room for a peer briefly above it (before pruning) while keeping a record
 * at 667 bytes, so 24 fit one 16 KiB frame (16,011 bytes).
 */
export const MAX_RECORD_NEIGHBOURS = 16;
/** Fixed part: version, tag, id, seq, two times, tip height, chain work, stamp nonce, flags, count, signature. */
export const RECORD_FIXED_BYTES = 1 + 4 + 32 + 8 + 8 + 8 + 4 + 16 + 8 + 1 + 1 + 64;
/** The largest chain work a record carries: larger values saturate (u128). */
export const MAX_RECORD_CHAIN_WORK = (1n << 128n) - 1n;
export const MAX_RECORD_BYTES = RECORD_FIXED_BYTES + 32 * MAX_RECORD_NEIGHBOURS;
/** Default lifetime: 10 min. Re-signed every minute, so a live peer never lapses; a gone one vanishes within 10 min. */
export const DEFAULT_RECORD_TTL_MS = 10 * 60_000;
/** Longest lifetime accepted: a stale claim about the graph cannot outlive 30 min. */
export const MAX_RECORD_TTL_MS = 30 * 60_000;
/** A record issued this far in our future is refused: the same skew the signaling envelope tolerates. */
export const MAX_RECORD_CLOCK_SKEW_MS = 60_000;

/** flags bit 0: the peer has room for inbound links (dialers prefer such peers). */
export const FLAG_ACCEPTS_INBOUND = 0x01;
const KNOWN_FLAGS = FLAG_ACCEPTS_INBOUND;

export interface PeerRecord {
  peerId: PeerId;
  /** Increases with every record the peer signs; newest wins. See nextRecordSeq. */
  seq: number;
  issuedAtMs: number;
  expiresAtMs: number;
  acceptsInbound: boolean;
  /** The peer's open links when it signed, ascending. */
  neighbours: PeerId[];
  /**
   * The height and cumulative work of the signer's best chain when it signed.
   * Every record on the wire carries them (0 in a hand-built test record).
   */
  tipHeight?: number;
  chainWork?: bigint;
  /** The identity stamp's nonce for peerId (identity-stamp.ts); 0 in a hand-built test record. */
  stampNonce?: number;
  /** Hex, 64 bytes. */
  signature: string;
}

export type UnsignedPeerRecord = Omit<PeerRecord, 'signature'>;

const tags = new Map<string, Uint8Array>();
const signingPrefixes = new Map<string, Uint8Array>();

/** First 4 bytes of SHA-256(network) (cached: every record received is checked against it). */
export function networkTag(network: string): Uint8Array {
  let tag = tags.get(network);
  if (!tag) tags.set(network, (tag = sha256(utf8(network)).slice(0, 4)));
  return tag;
}

/**
 * Encodings by record object. Records are immutable once signed or parsed,
 * and each is sent to several neighbours and verified once: caching the bytes
 * (kept from the wire for received records) removes hex decoding and
 * re-encoding from the gossip path, which dominated a simulator profile.
 */
const encodings = new WeakMap<PeerRecord, Uint8Array>();

/** Hex of bytes[start, end): bytes.ts toHex, which gives flat strings (a book holds 17 of these per record). */
const hex = (bytes: Uint8Array, start: number, end: number): string => toHex(bytes.subarray(start, end));

function u128(value: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, value >> 64n);
  view.setBigUint64(8, value & 0xffff_ffff_ffff_ffffn);
  return out;
}

function readU128(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return (view.getBigUint64(0) << 64n) | view.getBigUint64(8);
}

function encodeUnsigned(network: string, record: UnsignedPeerRecord): Uint8Array {
  const writer = new ByteWriter().u8(PEER_RECORD_VERSION).bytes(networkTag(network)).bytes(fromHex(record.peerId)!)
    .u64(record.seq).u64(record.issuedAtMs).u64(record.expiresAtMs)
    .u32(record.tipHeight ?? 0).bytes(u128(record.chainWork ?? 0n)).u64(record.stampNonce ?? 0)
    .u8(record.acceptsInbound ? FLAG_ACCEPTS_INBOUND : 0).u8(record.neighbours.length);
  for (const neighbour of record.neighbours) writer.bytes(fromHex(neighbour)!);
  return writer.finish();
}

function signingBytes(network: string, unsignedEncoding: Uint8Array): Uint8Array {
  let prefix = signingPrefixes.get(network);
  if (!prefix) signingPrefixes.set(network, (prefix = concatBytes(DOMAIN, new ByteWriter().str8(network).finish())));
  return concatBytes(prefix, unsignedEncoding);
}

/**
 * The seq for a record signed at `nowMs`: the clock, bumped past `previous`.
 * Using the clock makes seq survive a tab reload (an in-memory counter would
 * restart at 1 and lose to the tab's own older records for their lifetime).
 */
export function nextRecordSeq(previous: number | undefined, nowMs: number): number {
  return Math.max((previous ?? 0) + 1, Math.floor(nowMs));
}

/** Titled asserts at the API edge (noble's abytes style). */
function assertUnsigned(record: UnsignedPeerRecord): void {
  if (!isHexOfLength(record.peerId, 32)) throw new InvalidArgumentError('peerId must be 32 bytes of lower-case hex');
  for (const [name, value] of [['seq', record.seq], ['issuedAtMs', record.issuedAtMs], ['expiresAtMs', record.expiresAtMs]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`${name} must be a non-negative safe integer, got ${value}`);
  }
  if (record.seq < 1) throw new InvalidArgumentError('seq must be at least 1');
  const tipHeight = record.tipHeight ?? 0;
  if (!Number.isInteger(tipHeight) || tipHeight < 0 || tipHeight > 0xffff_ffff) throw new InvalidArgumentError(`tipHeight must be a u32, got ${tipHeight}`);
  const chainWork = record.chainWork ?? 0n;
  if (typeof chainWork !== 'bigint' || chainWork < 0n || chainWork > MAX_RECORD_CHAIN_WORK) throw new InvalidArgumentError(`chainWork must be a bigint in 0..2^128-1, got ${String(chainWork)}`);
  const stampNonce = record.stampNonce ?? 0;
  if (!Number.isSafeInteger(stampNonce) || stampNonce < 0) throw new InvalidArgumentError(`stampNonce must be a non-negative safe integer, got ${stampNonce}`);
  if (record.expiresAtMs <= record.issuedAtMs || record.expiresAtMs - record.issuedAtMs > MAX_RECORD_TTL_MS) {
    throw new InvalidArgumentError(`expiresAtMs must be within (issuedAtMs, issuedAtMs + ${MAX_RECORD_TTL_MS}]`);
  }
  if (record.neighbours.length > MAX_RECORD_NEIGHBOURS) throw new InvalidArgumentError(`neighbours: at most ${MAX_RECORD_NEIGHBOURS}, got ${record.neighbours.length}`);
  for (const neighbour of record.neighbours) {
    if (!isHexOfLength(neighbour, 32)) throw new InvalidArgumentError('neighbours must be 32-byte lower-case hex peer ids');
    if (neighbour === record.peerId) throw new InvalidArgumentError('neighbours must not list the record\'s own peer');
  }
}

/**
 * What a record's signer may know besides its key: the identity stamp it
 * minted (Signer.identityStamp, issue 20 §2) and its ledger's tip. The peer
 * assembly (peer/mesh-peer.ts) hands the peers module a signer with
 * `chainTip` reading the ledger, so every record the gossip signs carries the
 * chain it is on without the gossip knowing of ledgers.
 */
export type RecordSigner = Signer & {
  chainTip?(): { height: number; chainWork: bigint };
};

/**
 * Signs a record for `signer`. Neighbours are sorted and deduplicated (the
 * canonical order); beyond MAX_RECORD_NEIGHBOURS the caller must trim. Tip
 * height, chain work and stamp nonce come from `fields` when given, else
 * from the signer (chainTip, identityStamp), else 0; chain work saturates.
 */
export async function signPeerRecord(network: string, signer: RecordSigner, fields: Omit<UnsignedPeerRecord, 'peerId'>): Promise<PeerRecord> {
  const tip = fields.tipHeight === undefined || fields.chainWork === undefined ? signer.chainTip?.() : undefined;
  const chainWork = fields.chainWork ?? tip?.chainWork ?? 0n;
  const unsigned: UnsignedPeerRecord = {
    ...fields, peerId: signer.peerId, neighbours: [...new Set(fields.neighbours)].sort(),
    tipHeight: fields.tipHeight ?? tip?.height ?? 0,
    chainWork: chainWork > MAX_RECORD_CHAIN_WORK ? MAX_RECORD_CHAIN_WORK : chainWork,
    stampNonce: fields.stampNonce ?? signer.identityStamp,
  };
  assertUnsigned(unsigned);
  const body = encodeUnsigned(network, unsigned);
  const signature = await signer.sign(signingBytes(network, body));
  const record: PeerRecord = { ...unsigned, signature: toHex(signature) };
  encodings.set(record, concatBytes(body, signature));
  return record;
}

/** The canonical encoding of a signed record. */
export function encodePeerRecord(network: string, record: PeerRecord): Uint8Array {
  const cached = encodings.get(record);
  if (cached && equalBytes(cached.subarray(1, 5), networkTag(network))) return cached;
  assertUnsigned(record);
  if (!isHexOfLength(record.signature, 64)) throw new InvalidArgumentError('signature must be 64 bytes of lower-case hex');
  const bytes = concatBytes(encodeUnsigned(network, record), fromHex(record.signature)!);
  encodings.set(record, bytes);
  return bytes;
}

/**
 * A record read off the wire and checked strictly, with what the gossip needs
 * to tell news from a copy (peer, seq, times, stamp nonce) read at once. The
 * record itself (17 hex ids, the chain work) is built on first read of
 * `record`: most records a tab receives are copies of ones it holds (fanout 3
 * delivers each about three times), and those are dropped after their seq.
 */
export interface ParsedPeerRecord {
  /** The tag it carried, checked against our network by checkPeerRecord. */
  networkTag: Uint8Array;
  peerId: PeerId;
  seq: number;
  issuedAtMs: number;
  expiresAtMs: number;
  stampNonce: number;
  readonly record: PeerRecord;
}

/** Offset of the neighbour count: version, tag, id, seq, issuedAtMs, expiresAtMs, tipHeight, chainWork, stampNonce, flags. */
const COUNT_OFFSET = 1 + 4 + 32 + 8 + 8 + 8 + 4 + 16 + 8 + 1;
const TIP_HEIGHT_OFFSET = 1 + 4 + 32 + 8 + 8 + 8;
const FLAGS_OFFSET = COUNT_OFFSET - 1;

/**
 * The length of the record starting at `offset`, read from its neighbour
 * count, so a frame can be split into records before each is parsed; undefined
 * when too few bytes are left to tell.
 */
export function peerRecordLengthAt(bytes: Uint8Array, offset: number): number | undefined {
  if (bytes.length <= offset + COUNT_OFFSET) return undefined;
  return RECORD_FIXED_BYTES + 32 * Math.min(bytes[offset + COUNT_OFFSET]!, MAX_RECORD_NEIGHBOURS + 1);
}

/** Byte order of two 32-byte ids at `a` and `b` in `bytes`: the order of their lower-case hex too. */
function compareIds(bytes: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < 32; i++) {
    const diff = bytes[a + i]! - bytes[b + i]!;
    if (diff !== 0) return diff;
  }
  return 0;
}

type RecordHead = Omit<ParsedPeerRecord, 'record'>;

/**
 * Records built from the wire, by signature, for as long as anything holds them. Every tab that receives a record
 * gets the same bytes, so the simulator's thousands of tabs in one process share one frozen object per record rather
 * than building one each: those copies (17 hex ids, the bytes, the work) were most of a simulated tab's memory
 * (docs/PERFORMANCE.md, "Healing"). A tab gains little: it builds only news, once. A hit must match byte for byte, so a
 * frame that reuses a signature over other bytes gets a record of its own, and fails verification.
 */
const built = new Map<string, WeakRef<PeerRecord>>();
const forgetBuilt = new FinalizationRegistry<string>((signature) => {
  if (built.get(signature)?.deref() === undefined) built.delete(signature);
});

/** The record of `bytes` (checked by parsePeerRecord), with its own copy of them kept as its encoding. */
function buildRecord(view: Uint8Array, head: RecordHead): PeerRecord {
  const count = view[COUNT_OFFSET]!;
  const signatureAt = COUNT_OFFSET + 1 + 32 * count;
  const signature = hex(view, signatureAt, signatureAt + 64);
  const shared = built.get(signature)?.deref();
  if (shared && equalBytes(encodings.get(shared)!, view)) return shared;
  const bytes = view.slice(); // the book keeps it: not a view pinning the whole frame
  const neighbours: PeerId[] = [];
  for (let i = 0, at = COUNT_OFFSET + 1; i < count; i++, at += 32) neighbours.push(hex(bytes, at, at + 32));
  const record: PeerRecord = Object.freeze({
    peerId: head.peerId, seq: head.seq, issuedAtMs: head.issuedAtMs, expiresAtMs: head.expiresAtMs,
    acceptsInbound: (bytes[FLAGS_OFFSET]! & FLAG_ACCEPTS_INBOUND) !== 0, neighbours: Object.freeze(neighbours) as PeerId[],
    tipHeight: new DataView(bytes.buffer).getUint32(TIP_HEIGHT_OFFSET), chainWork: readU128(bytes.subarray(TIP_HEIGHT_OFFSET + 4, TIP_HEIGHT_OFFSET + 20)),
    stampNonce: head.stampNonce, signature,
  });
  encodings.set(record, bytes);
  built.set(signature, new WeakRef(record));
  forgetBuilt.register(record, signature);
  return record;
}

/** A ParsedPeerRecord whose record is built on first read (an own getter, so a spread copy still carries it). */
function lazyRecord(view: Uint8Array, head: RecordHead): ParsedPeerRecord {
  let record: PeerRecord | undefined;
  return { ...head, get record() { return (record ??= buildRecord(view, head)); } };
}

/**
 * Parses exactly one record, strictly: every malformed field is a rejection
 * that names it, and no trailing bytes are allowed. Checks the neighbours'
 * order on the bytes; the record is built lazily (ParsedPeerRecord).
 */
export function parsePeerRecord(bytes: Uint8Array): Result<ParsedPeerRecord> {
  if (bytes.length > MAX_RECORD_BYTES) return reject('too-large', `peer record is ${bytes.length} bytes, limit ${MAX_RECORD_BYTES}`);
  const reader = new ByteReader(bytes);
  try {
    const version = reader.u8();
    if (version !== PEER_RECORD_VERSION) return reject('bad-version', `peer record version ${version}, expected ${PEER_RECORD_VERSION}`);
    const tag = bytes.subarray(reader.skip(4), 5);
    reader.skip(32);
    const seq = reader.u64();
    const issuedAtMs = reader.u64();
    const expiresAtMs = reader.u64();
    if (seq === undefined || seq < 1) return reject('bad-field', 'peer record seq must be 1..2^53-1');
    if (issuedAtMs === undefined) return reject('bad-field', 'peer record issuedAtMs exceeds 2^53-1');
    if (expiresAtMs === undefined) return reject('bad-field', 'peer record expiresAtMs exceeds 2^53-1');
    if (expiresAtMs <= issuedAtMs) return reject('bad-field', 'peer record expiresAtMs must be after issuedAtMs');
    if (expiresAtMs - issuedAtMs > MAX_RECORD_TTL_MS) return reject('bad-field', `peer record lifetime exceeds ${MAX_RECORD_TTL_MS} ms`);
    reader.skip(4 + 16); // tip height and chain work: any value is valid
    const stampNonce = reader.u64();
    if (stampNonce === undefined) return reject('bad-field', 'peer record stampNonce exceeds 2^53-1');
    const flags = reader.u8();
    if ((flags & ~KNOWN_FLAGS) !== 0) return reject('bad-field', `peer record flags 0x${flags.toString(16)} has unknown bits`);
    const count = reader.u8();
    if (count > MAX_RECORD_NEIGHBOURS) return reject('too-large', `peer record lists ${count} neighbours, limit ${MAX_RECORD_NEIGHBOURS}`);
    reader.skip(32 * count + 64); // bounds first: a truncated record is rejected before any id is compared
    for (let i = 0, at = COUNT_OFFSET + 1; i < count; i++, at += 32) {
      if (compareIds(bytes, at, 5) === 0) return reject('bad-field', 'peer record neighbours list the peer itself');
      if (i > 0 && compareIds(bytes, at, at - 32) <= 0) return reject('bad-field', 'peer record neighbours must be strictly ascending (sorted, unique)');
    }
    if (reader.remaining !== 0) return reject('trailing-bytes', `peer record has ${reader.remaining} extra bytes`);
    return accept(lazyRecord(bytes, { networkTag: tag, peerId: hex(bytes, 5, 37), seq, issuedAtMs, expiresAtMs, stampNonce }));
  } catch (error) {
    if (error instanceof TruncatedInputError) return reject('truncated', `peer record: ${error.message}`);
    throw error;
  }
}

/**
 * Everything but the signature: the network tag, the validity window and the
 * identity stamp (issue 20 §2: an id costs work, so a flood of fresh keys
 * cannot fill books). These rejections drop the record and keep the sender
 * (clocks differ, networks share a relay, and a stamp is the subject's, not
 * the forwarder's): 'wrong-network', 'expired', or 'bad-field' naming the
 * stamp. `stampBits` defaults to the network's identityStampBits (params.ts);
 * a host that overrides the parameter (the simulator) passes its own.
 */
export function checkPeerRecord(parsed: ParsedPeerRecord, context: { network: string; nowMs: number; stampBits?: number }): Result<PeerRecord> {
  if (!equalBytes(parsed.networkTag, networkTag(context.network))) return reject('wrong-network', 'peer record belongs to another network');
  if (parsed.expiresAtMs <= context.nowMs) return reject('expired', 'peer record has expired');
  if (parsed.issuedAtMs > context.nowMs + MAX_RECORD_CLOCK_SKEW_MS) return reject('expired', `peer record is issued more than ${MAX_RECORD_CLOCK_SKEW_MS / 1000} s in the future`);
  const stamp = checkIdentityStamp(parsed.peerId, parsed.stampNonce, context.stampBits ?? chainParams(context.network).identityStampBits);
  if (!stamp.ok) return reject('bad-field', `peer record: ${stamp.detail}`);
  return accept(parsed.record);
}

/** The verification job for a record's signature (batched through the Verifier). */
export function peerRecordVerifyItem(network: string, record: PeerRecord): VerifyItem {
  const bytes = encodePeerRecord(network, record);
  const signatureAt = bytes.length - 64;
  return { publicKey: bytes.slice(5, 37), message: signingBytes(network, bytes.subarray(0, signatureAt)), signature: bytes.slice(signatureAt) };
}

/** True when `a` supersedes `b` (same peer): higher seq, then later issuedAtMs. */
export function isNewerRecord(a: Pick<PeerRecord, 'seq' | 'issuedAtMs'>, b: Pick<PeerRecord, 'seq' | 'issuedAtMs'>): boolean {
  return a.seq > b.seq || (a.seq === b.seq && a.issuedAtMs > b.issuedAtMs);
}

/** What a record says of its author's links (a PeerRecord, or the page's copy of one). */
export interface LinkClaims {
  peerId: PeerId;
  neighbours: readonly PeerId[];
  issuedAtMs: number;
}

/**
 * True when `record` lists `to` and `to`'s own record, if held, does not
 * contradict it. Each record lists its author's links at signing, and only
 * the dialling end re-signs at once when a link opens or closes
 * (docs/PROTOCOL.md, "Peer exchange"), so when the two ends disagree the
 * newer record decides: a link the newer one omits has closed, or one it
 * lists opened after the older was signed. Records signed in the same
 * millisecond cannot tell, and keep the claim.
 */
export function claimsLink(record: LinkClaims, to: PeerId, theirs: LinkClaims | undefined): boolean {
  if (!record.neighbours.includes(to)) return false;
  return theirs === undefined || theirs.neighbours.includes(record.peerId) || record.issuedAtMs >= theirs.issuedAtMs;
}
