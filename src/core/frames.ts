/**
 * Frames on a peer link (docs/PROTOCOL.md, "Link frames"). Every data-channel
 * message is one binary frame:
 *
 *   frameVersion u8 (=1) | type u8 | payload
 *
 * Data channels already delimit messages, so no length prefix is needed; each
 * type's payload has an exact layout and a maximum size, checked before any
 * field is read. Frames stay under 16 KiB, the size that crosses every
 * browser's SCTP stack intact (GUIDE, "Keep data-channel messages at 16 KiB").
 */
import { ByteReader, ByteWriter, TruncatedInputError, fromHex, isHexOfLength, toHex } from './bytes.ts';
import { accept, reject, type Result } from './result.ts';
import { TX_BYTES, decodeTx, encodeTx, type Tx } from './tx.ts';
import type { PeerId } from './types.ts';

export const FRAME_VERSION = 1;
/** The largest frame a peer may send; anything larger is misbehaviour. */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Software identifier carried in HELLO, for diagnostics only. */
export const USER_AGENT = 'tabmesh/0.1.0';

export const FrameType = {
  hello: 0x01,
  tx: 0x02,
  ping: 0x03,
  pong: 0x04,
} as const;

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
}

export type Frame =
  | HelloFrame
  | { type: 'tx'; tx: Tx }
  | { type: 'ping'; nonce: number }
  | { type: 'pong'; nonce: number };

/** Largest payload per type, checked before parsing (HELLO: 255-byte strings at most). */
const MAX_PAYLOAD_BYTES: Record<number, number> = {
  [FrameType.hello]: 1 + 255 + 32 + 4 + 32 + 1 + 255,
  [FrameType.tx]: TX_BYTES,
  [FrameType.ping]: 8,
  [FrameType.pong]: 8,
};

export function encodeFrame(frame: Frame): Uint8Array {
  const writer = new ByteWriter().u8(FRAME_VERSION);
  switch (frame.type) {
    case 'hello':
      if (!isHexOfLength(frame.peerId, 32) || !isHexOfLength(frame.tipHash, 32)) throw new RangeError('hello: peerId and tipHash must be 32-byte hex');
      return writer.u8(FrameType.hello).str8(frame.network).bytes(fromHex(frame.peerId)!)
        .u32(frame.tipHeight).bytes(fromHex(frame.tipHash)!).str8(frame.userAgent).finish();
    case 'tx':
      return writer.u8(FrameType.tx).bytes(encodeTx(frame.tx)).finish();
    case 'ping':
      return writer.u8(FrameType.ping).u64(frame.nonce).finish();
    case 'pong':
      return writer.u8(FrameType.pong).u64(frame.nonce).finish();
  }
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
  let frame: Frame;
  if (type === FrameType.hello) {
    const network = reader.str8();
    const peerId = toHex(reader.bytes(32));
    const tipHeight = reader.u32();
    const tipHash = toHex(reader.bytes(32));
    const userAgent = reader.str8();
    if (network === undefined || userAgent === undefined) return reject('bad-field', 'hello: network and userAgent must be UTF-8');
    frame = { type: 'hello', network, peerId, tipHeight, tipHash, userAgent };
  } else {
    const nonce = reader.u64();
    if (nonce === undefined) return reject('bad-field', 'ping/pong nonce must be at most 2^53-1');
    frame = { type: type === FrameType.ping ? 'ping' : 'pong', nonce };
  }
  if (reader.remaining !== 0) return reject('trailing-bytes', `frame type 0x${type.toString(16)} has ${reader.remaining} extra bytes`);
  return accept(frame);
}
