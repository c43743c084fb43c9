/**
 * Frames on a peer link (docs/PROTOCOL.md, "Link frames"). A data-channel
 * message is one binary frame, or a bundle of them (frame-bundle.ts):
 *
 *   frameVersion u8 (=4) | type u8 | payload
 *
 * Data channels already delimit messages, so no length prefix is needed; each
 * type's payload has an exact layout and a maximum size, checked before any
 * field is read. Frames stay under 16 KiB, the size that crosses every
 * browser's SCTP stack intact (GUIDE, "Keep data-channel messages at 16 KiB").
 */
import { ByteReader, ByteWriter, TruncatedInputError, fromHex, isHexOfLength, toHex } from './bytes.ts';
import { isStampNonce } from './identity-stamp.ts';
import type { ProtocolRange } from './protocol-version.ts';
import { accept, reject, type Reject, type Result } from './result.ts';
import { BLOCK_HEADER_BYTES, decodeHeader, encodeHeader } from './ledger/block.ts';
import type { BlockHeader } from './ledger/types.ts';
import { TX_BYTES, decodeTx, encodeTx, type Tx } from './tx.ts';
import type { BlockHash, PeerId } from './types.ts';

/**
 * The framing version, byte 0 of every frame. 4 is the last one: from 4 on, HELLO carries the range of
 * protocol versions a build speaks (protocol-version.ts) and byte 0 never changes, so every later build
 * parses every other's HELLO. Before negotiation it was the protocol: 3 bundled frames (frame-bundle.ts),
 * 2 named transactions in inventory frames by short id, 1 carried full ids.
 */
export const FRAME_VERSION = 4;
/** The largest frame a peer may send; anything larger is misbehaviour. */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Software identifier carried in HELLO, for diagnostics only. */
export const USER_AGENT = 'tabmesh/0.2.0';

export const FrameType = {
  hello: 0x01,
  tx: 0x02,
  ping: 0x03,
  pong: 0x04,
  block: 0x05,
  getBlockTxs: 0x06,
  blockTxs: 0x07,
  getHeaders: 0x08,
  headers: 0x09,
  inv: 0x0b,
  getData: 0x0c,
  notFound: 0x0d,
  /** Optional (0x40–0x7f): a protocol-4 build ignores it. */
  goodbye: 0x40,
} as const;

/** Compact blocks name transactions by the first 8 bytes of their id (BIP152 uses 6). */
export const SHORT_ID_BYTES = 8;

/** What an inventory item names. */
export type InvKind = 'tx' | 'block';
/**
 * An inventory item as it travels: a transaction by its short id (the first
 * SHORT_ID_BYTES of its id, 16 hex characters), a block by its full 32-byte
 * hash. Short ids cut an announcement from 33 to 9 bytes; docs/SECURITY.md
 * ("Short transaction ids") explains why a collision harms only its maker.
 */
export interface InvItem {
  kind: InvKind;
  id: string;
}
const INV_KIND_CODES: Record<InvKind, number> = { tx: 1, block: 2 };
/** Bytes of an item's id on the wire, by kind. */
const INV_ID_BYTES: Record<InvKind, number> = { tx: SHORT_ID_BYTES, block: 32 };
/** 400 items of at most 33 bytes (kind + block hash) = 13.2 KB, within one 16 KiB frame. */
export const MAX_INV_ITEMS = 400;

/** A transaction's short id (hex): the first SHORT_ID_BYTES of its id, in compact blocks and inventory alike. */
export const shortTxId = (id: string): string => id.slice(0, SHORT_ID_BYTES * 2);

/** The id an inventory item carries for a transaction id or block hash (full, hex). */
export const invId = (kind: InvKind, id: string): string => (kind === 'tx' ? shortTxId(id) : id);
/** 2000 short ids (a full block) fit one 16 KiB frame: 149 + 2 + 2000 × 8 = 16,151 bytes. */
export const MAX_COMPACT_TXS = 2000;
/** 100 × (2 + 153) bytes of transactions fit one frame; bigger answers are split. */
export const MAX_TXS_PER_FRAME = 100;
/** 100 × 149-byte headers fit one frame; sync asks again from the last one. */
export const MAX_HEADERS_PER_FRAME = 100;
/** A block locator is ~10 + log2(height) hashes; 64 covers any chain. */
export const MAX_LOCATOR_HASHES = 64;

/** Each side's view of the chain, exchanged in HELLO. Before the ledger exists the tip is height 0. */
export interface ChainView {
  tipHeight: number;
  /** Hex SHA-256 of the tip block header (all zeros before any block). */
  tipHash: string;
}

export interface HelloFrame extends ChainView {
  type: 'hello';
  network: string;
  peerId: PeerId;
  userAgent: string;
  /**
   * The sender's identity stamp (docs/PROTOCOL.md, "Identity stamp"): a u64
   * after the user agent. Builds from before stamps send none, which the
   * receiver tells apart from a wrong stamp (node.ts).
   */
  identityStamp?: number;
  /**
   * The protocol versions and feature bits the sender speaks (protocol-version.ts), after the stamp:
   * `min u16 ‖ max u16 ‖ features u32`. Anything after them is a field of a later version, skipped.
   */
  protocol?: ProtocolRange;
}

/** The longest GOODBYE reason a node sends (node.ts cuts it); the wire allows 255 bytes. */
export const MAX_GOODBYE_REASON_CHARS = 120;

export type Frame =
  | HelloFrame
  | { type: 'tx'; tx: Tx }
  | { type: 'ping'; nonce: number }
  | { type: 'pong'; nonce: number }
  /** A block announced as its header plus short transaction ids, in block order. */
  | { type: 'block'; header: BlockHeader; shortIds: string[] }
  /** Asks for a block's transactions by position. */
  | { type: 'getBlockTxs'; hash: BlockHash; indexes: number[] }
  | { type: 'blockTxs'; hash: BlockHash; txs: { index: number; tx: Tx }[] }
  /** Asks for headers after the first locator hash the receiver knows (Bitcoin's getheaders). */
  | { type: 'getHeaders'; locator: BlockHash[] }
  | { type: 'headers'; headers: BlockHeader[] }
  /** Announces ids the sender has (Bitcoin's inv); bodies follow only when asked for. */
  | { type: 'inv'; items: InvItem[] }
  /** Asks for bodies by id: a TX frame per transaction, a BLOCK (compact) per block. */
  | { type: 'getData'; items: InvItem[] }
  /** Answers getData for ids the sender no longer has, so the asker retries elsewhere at once. */
  | { type: 'notFound'; items: InvItem[] }
  /** Why the sender is closing the link (protocol-version.ts GoodbyeCode), sent just before it closes. */
  | { type: 'goodbye'; code: number; reason: string };

/**
 * HELLO's known fields take at most 1 + 255 + 32 + 4 + 32 + 1 + 255 + 8 + 8 = 596 bytes; the limit leaves
 * room for the trailing fields later versions may append (docs/PROTOCOL.md, "Versioning").
 */
export const MAX_HELLO_PAYLOAD_BYTES = 1024;

/** Largest payload per type, checked before parsing. */
const MAX_PAYLOAD_BYTES: Record<number, number> = {
  [FrameType.hello]: MAX_HELLO_PAYLOAD_BYTES,
  [FrameType.tx]: TX_BYTES,
  [FrameType.ping]: 8,
  [FrameType.pong]: 8,
  [FrameType.block]: BLOCK_HEADER_BYTES + 2 + MAX_COMPACT_TXS * SHORT_ID_BYTES,
  [FrameType.getBlockTxs]: 32 + 2 + MAX_COMPACT_TXS * 2,
  [FrameType.blockTxs]: 32 + 2 + MAX_TXS_PER_FRAME * (2 + TX_BYTES),
  [FrameType.getHeaders]: 1 + MAX_LOCATOR_HASHES * 32,
  [FrameType.headers]: 1 + MAX_HEADERS_PER_FRAME * BLOCK_HEADER_BYTES,
  [FrameType.inv]: MAX_INV_ITEMS * 33,
  [FrameType.getData]: MAX_INV_ITEMS * 33,
  [FrameType.notFound]: MAX_INV_ITEMS * 33,
  [FrameType.goodbye]: 1 + 1 + 255,
};

export function encodeFrame(frame: Frame): Uint8Array {
  const writer = new ByteWriter().u8(FRAME_VERSION);
  switch (frame.type) {
    case 'hello':
      if (!isHexOfLength(frame.peerId, 32) || !isHexOfLength(frame.tipHash, 32)) throw new RangeError('hello: peerId and tipHash must be 32-byte hex');
      if (frame.identityStamp !== undefined && !isStampNonce(frame.identityStamp)) throw new RangeError('hello: identityStamp must be a non-negative safe integer');
      // Trailing fields are positional: the range can follow only a stamp.
      if (frame.protocol !== undefined && frame.identityStamp === undefined) throw new RangeError('hello: a protocol range needs an identityStamp before it');
      writer.u8(FrameType.hello).str8(frame.network).bytes(fromHex(frame.peerId)!)
        .u32(frame.tipHeight).bytes(fromHex(frame.tipHash)!).str8(frame.userAgent);
      if (frame.identityStamp !== undefined) writer.u64(frame.identityStamp);
      if (frame.protocol !== undefined) writer.u16(frame.protocol.min).u16(frame.protocol.max).u32(frame.protocol.features);
      return writer.finish();
    case 'goodbye':
      if (!Number.isInteger(frame.code) || frame.code < 0 || frame.code > 0xff) throw new RangeError(`goodbye: code must be a u8, got ${frame.code}`);
      return writer.u8(FrameType.goodbye).u8(frame.code).str8(frame.reason).finish();
    case 'tx':
      return writer.u8(FrameType.tx).bytes(encodeTx(frame.tx)).finish();
    case 'ping':
      return writer.u8(FrameType.ping).u64(frame.nonce).finish();
    case 'pong':
      return writer.u8(FrameType.pong).u64(frame.nonce).finish();
    case 'block':
      writer.u8(FrameType.block).bytes(encodeHeader(frame.header)).u16(frame.shortIds.length);
      for (const shortId of frame.shortIds) writer.bytes(hexBytes(shortId, SHORT_ID_BYTES, 'shortId'));
      return writer.finish();
    case 'getBlockTxs':
      writer.u8(FrameType.getBlockTxs).bytes(hexBytes(frame.hash, 32, 'hash')).u16(frame.indexes.length);
      for (const index of frame.indexes) writer.u16(index);
      return writer.finish();
    case 'blockTxs':
      writer.u8(FrameType.blockTxs).bytes(hexBytes(frame.hash, 32, 'hash')).u16(frame.txs.length);
      for (const { index, tx } of frame.txs) writer.u16(index).bytes(encodeTx(tx));
      return writer.finish();
    case 'getHeaders':
      writer.u8(FrameType.getHeaders).u8(frame.locator.length);
      for (const hash of frame.locator) writer.bytes(hexBytes(hash, 32, 'locator'));
      return writer.finish();
    case 'headers':
      writer.u8(FrameType.headers).u8(frame.headers.length);
      for (const header of frame.headers) writer.bytes(encodeHeader(header));
      return writer.finish();
    case 'inv':
    case 'getData':
    case 'notFound':
      // No count: the data channel delimits the frame, and most carry one or two items (9 bytes each for a transaction).
      if (frame.items.length === 0 || frame.items.length > MAX_INV_ITEMS) throw new RangeError(`${frame.type}: 1..${MAX_INV_ITEMS} items, got ${frame.items.length}`);
      writer.u8(FrameType[frame.type]);
      for (const item of frame.items) writer.u8(INV_KIND_CODES[item.kind]).bytes(hexBytes(item.id, INV_ID_BYTES[item.kind], `${item.kind} inventory id`));
      return writer.finish();
  }
}

function hexBytes(hex: string, length: number, field: string): Uint8Array {
  if (!isHexOfLength(hex, length)) throw new RangeError(`${field} must be ${length} bytes of hex`);
  return fromHex(hex)!;
}

/** Parses one frame from a peer into a typed Frame or a named rejection. */
export function parseFrame(bytes: Uint8Array): Result<Frame> {
  if (bytes.length > MAX_FRAME_BYTES) return reject('too-large', `frame is ${bytes.length} bytes, limit ${MAX_FRAME_BYTES}`);
  if (bytes.length < 2) return reject('truncated', 'frame needs a version and a type byte');
  if (bytes[0] !== FRAME_VERSION) return reject('bad-version', `frame version ${bytes[0]}, expected ${FRAME_VERSION}`);
  const type = bytes[1]!;
  const limit = MAX_PAYLOAD_BYTES[type];
  if (limit === undefined) return reject('unknown-type', `unknown frame type 0x${type.toString(16)}`);
  const payload = bytes.subarray(2);
  if (payload.length > limit) return reject('too-large', `frame type 0x${type.toString(16)} payload is ${payload.length} bytes, limit ${limit}`);
  try {
    const parsed = parsePayload(type, payload);
    return parsed;
  } catch (error) {
    if (error instanceof TruncatedInputError) return reject('truncated', `frame type 0x${type.toString(16)}: ${error.message}`);
    throw error;
  }
}

function parsePayload(type: number, payload: Uint8Array): Result<Frame> {
  if (type === FrameType.tx) {
    const decoded = decodeTx(payload);
    if (!decoded.ok) return decoded;
    if (payload.length !== TX_BYTES) return reject('trailing-bytes', `tx frame has ${payload.length - TX_BYTES} extra bytes`);
    return accept({ type: 'tx', tx: decoded.value });
  }
  const reader = new ByteReader(payload);
  const parsed = parseBodyFrame(type, reader);
  if (!parsed.ok) return parsed;
  // HELLO may end with fields of later versions, which this build skips (docs/PROTOCOL.md, "Versioning").
  if (reader.remaining !== 0 && type !== FrameType.hello) return reject('trailing-bytes', `frame type 0x${type.toString(16)} has ${reader.remaining} extra bytes`);
  return parsed;
}

function readHeader(reader: ByteReader): Result<BlockHeader> {
  const decoded = decodeHeader(reader.bytes(BLOCK_HEADER_BYTES));
  return decoded.ok ? decoded : reject('bad-field', `header: ${decoded.detail}`);
}

/** Reads a u16 count and refuses it above `max` before anything is allocated. */
function readCount(reader: ByteReader, max: number, what: string, width: 8 | 16 = 16): number | Reject {
  const count = width === 8 ? reader.u8() : reader.u16();
  return count > max ? reject('too-large', `${count} ${what}, limit ${max}`) : count;
}

function parseBodyFrame(type: number, reader: ByteReader): Result<Frame> {
  switch (type) {
    case FrameType.hello: {
      const network = reader.str8();
      const peerId = toHex(reader.bytes(32));
      const tipHeight = reader.u32();
      const tipHash = toHex(reader.bytes(32));
      const userAgent = reader.str8();
      if (network === undefined || userAgent === undefined) return reject('bad-field', 'hello: network and userAgent must be UTF-8');
      if (reader.remaining === 0) return accept({ type: 'hello', network, peerId, tipHeight, tipHash, userAgent });
      const identityStamp = reader.u64();
      if (identityStamp === undefined) return reject('bad-field', 'hello: identity stamp must be at most 2^53-1');
      if (reader.remaining === 0) return accept({ type: 'hello', network, peerId, tipHeight, tipHash, userAgent, identityStamp });
      const protocol = { min: reader.u16(), max: reader.u16(), features: reader.u32() };
      if (protocol.min > protocol.max) return reject('bad-field', `hello: protocol range ${protocol.min}..${protocol.max} is empty`);
      return accept({ type: 'hello', network, peerId, tipHeight, tipHash, userAgent, identityStamp, protocol });
    }
    case FrameType.goodbye: {
      const code = reader.u8();
      const reason = reader.str8();
      if (reason === undefined) return reject('bad-field', 'goodbye: reason must be UTF-8');
      return accept({ type: 'goodbye', code, reason });
    }
    case FrameType.ping:
    case FrameType.pong: {
      const nonce = reader.u64();
      if (nonce === undefined) return reject('bad-field', 'ping/pong nonce must be at most 2^53-1');
      return accept({ type: type === FrameType.ping ? 'ping' : 'pong', nonce });
    }
    case FrameType.block: {
      const header = readHeader(reader);
      if (!header.ok) return header;
      const count = readCount(reader, MAX_COMPACT_TXS, 'short ids');
      if (typeof count !== 'number') return count;
      const shortIds = Array.from({ length: count }, () => toHex(reader.bytes(SHORT_ID_BYTES)));
      return accept({ type: 'block', header: header.value, shortIds });
    }
    case FrameType.getBlockTxs: {
      const hash = toHex(reader.bytes(32));
      const count = readCount(reader, MAX_COMPACT_TXS, 'indexes');
      if (typeof count !== 'number') return count;
      return accept({ type: 'getBlockTxs', hash, indexes: Array.from({ length: count }, () => reader.u16()) });
    }
    case FrameType.blockTxs: {
      const hash = toHex(reader.bytes(32));
      const count = readCount(reader, MAX_TXS_PER_FRAME, 'transactions');
      if (typeof count !== 'number') return count;
      const txs: { index: number; tx: Tx }[] = [];
      for (let i = 0; i < count; i++) {
        const index = reader.u16();
        const decoded = decodeTx(reader.bytes(TX_BYTES));
        if (!decoded.ok) return decoded;
        txs.push({ index, tx: decoded.value });
      }
      return accept({ type: 'blockTxs', hash, txs });
    }
    case FrameType.getHeaders: {
      const count = readCount(reader, MAX_LOCATOR_HASHES, 'locator hashes', 8);
      if (typeof count !== 'number') return count;
      if (count === 0) return reject('bad-field', 'a locator needs at least one hash');
      return accept({ type: 'getHeaders', locator: Array.from({ length: count }, () => toHex(reader.bytes(32))) });
    }
    case FrameType.headers: {
      const count = readCount(reader, MAX_HEADERS_PER_FRAME, 'headers', 8);
      if (typeof count !== 'number') return count;
      const headers: BlockHeader[] = [];
      for (let i = 0; i < count; i++) {
        const header = readHeader(reader);
        if (!header.ok) return header;
        headers.push(header.value);
      }
      return accept({ type: 'headers', headers });
    }
    default: {
      const name = type === FrameType.getData ? 'getData' : type === FrameType.notFound ? 'notFound' : 'inv';
      if (reader.remaining === 0) return reject('bad-field', `${name} has no items`);
      const items: InvItem[] = [];
      while (reader.remaining > 0) {
        if (items.length === MAX_INV_ITEMS) return reject('too-large', `more than ${MAX_INV_ITEMS} inventory items`);
        const code = reader.u8();
        const kind = code === 1 ? 'tx' : code === 2 ? 'block' : undefined;
        if (!kind) return reject('bad-field', `inventory kind ${code} is neither 1 (tx) nor 2 (block)`);
        items.push({ kind, id: toHex(reader.bytes(INV_ID_BYTES[kind])) });
      }
      return accept({ type: name, items });
    }
  }
}

