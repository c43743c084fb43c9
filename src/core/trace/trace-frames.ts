/**
 * Frames of the transaction-trace diagnostic (docs/PROTOCOL.md, "Transaction
 * trace"). The node has already checked the frame version, the size limit
 * below and the HELLO state; these decoders check every field and return a
 * rejection naming it (the node then punishes the sender).
 *
 *   0x13 TRACE_REQUEST  nonce 8 | txId 32 | origin 32 | issuedAtMs u64 | hops u8 (1..6) | signature 64   = 145 bytes
 *   0x14 TRACE_REPORT   nonce 8 | reporter 32 | firstSeenMs u64 | source u8 (0 a peer, 1 origin) [| from 32 | fromLinkedAtMs u64]   = 49 or 89 bytes
 *
 * The request is signed by its origin over
 * "tabmesh/trace-request/v1" | str8(network) | nonce | txId | origin | issuedAtMs
 * (hops is left out: each forwarder lowers it). Reports are not signed.
 */
import { ByteReader, ByteWriter, TruncatedInputError, concatBytes, fromHex, isHexOfLength, toHex, utf8 } from '../bytes.ts';
import { accept, reject, type Result } from '../result.ts';
import type { PeerId, Signer, TxId, VerifyItem } from '../types.ts';

export const TRACE_REQUEST = 0x13;
export const TRACE_REPORT = 0x14;

/**
 * Links a request may cross. The relay-free meshes of docs/PROTOCOL.md
 * ("Mesh") have a mean path of ~4.8 links at D = 6, so 6 reaches nearly every
 * tab of a 200-tab network while a flood stays bounded by the hop count.
 */
export const MAX_TRACE_HOPS = 6;
export const TRACE_NONCE_BYTES = 8;
export const TRACE_REQUEST_BYTES = TRACE_NONCE_BYTES + 32 + 32 + 8 + 1 + 64;
export const TRACE_REPORT_MAX_BYTES = TRACE_NONCE_BYTES + 32 + 8 + 1 + 32 + 8;
const TRACE_DOMAIN = utf8('tabmesh/trace-request/v1');

export interface TraceRequest {
  /** Hex of the 8 nonce bytes: names the trace on every hop. */
  nonce: string;
  txId: TxId;
  /** The tab asking; it signed the request. */
  origin: PeerId;
  issuedAtMs: number;
  /** Links the request may still cross, counting the one it arrives on. */
  hops: number;
  signature: string;
}

/** One tab's answer: when it first had the transaction, and from which neighbour (or that it created it). */
export interface TraceReport {
  nonce: string;
  reporter: PeerId;
  /** The reporter's clock (ms since the epoch) when it accepted and announced the transaction. */
  firstSeenMs: number;
  /** The neighbour it came from, or 'origin' when the reporter created it. */
  from: PeerId | 'origin';
  /**
   * When the reporter's link to `from` opened (its clock); absent for 'origin'. A link that opened after
   * `from` had the transaction carried it in the pool handed over on HELLO: catch-up, not gossip (catch-up.ts).
   */
  fromLinkedAtMs?: number;
}

export type TraceMessage = { kind: 'request'; request: TraceRequest } | { kind: 'report'; report: TraceReport };

export const TRACE_FRAME_SPECS = {
  [TRACE_REQUEST]: { name: 'TRACE_REQUEST', maxPayloadBytes: TRACE_REQUEST_BYTES },
  [TRACE_REPORT]: { name: 'TRACE_REPORT', maxPayloadBytes: TRACE_REPORT_MAX_BYTES },
} as const;

const hex32 = (value: string, field: string): Uint8Array => {
  if (!isHexOfLength(value, 32)) throw new RangeError(`${field} must be 32-byte hex`);
  return fromHex(value)!;
};
const nonceBytes = (nonce: string): Uint8Array => {
  if (!isHexOfLength(nonce, TRACE_NONCE_BYTES)) throw new RangeError(`nonce must be ${TRACE_NONCE_BYTES}-byte hex`);
  return fromHex(nonce)!;
};

function signingBytes(network: string, request: Omit<TraceRequest, 'hops' | 'signature'>): Uint8Array {
  return concatBytes(TRACE_DOMAIN, new ByteWriter().str8(network).bytes(nonceBytes(request.nonce)).bytes(hex32(request.txId, 'txId'))
    .bytes(hex32(request.origin, 'origin')).u64(request.issuedAtMs).finish());
}

/** Signs a new request as its origin. */
export async function signTraceRequest(network: string, signer: Signer, fields: Pick<TraceRequest, 'nonce' | 'txId' | 'issuedAtMs' | 'hops'>): Promise<TraceRequest> {
  const unsigned = { nonce: fields.nonce, txId: fields.txId, origin: signer.peerId, issuedAtMs: Math.floor(fields.issuedAtMs) };
  const signature = toHex(await signer.sign(signingBytes(network, unsigned)));
  return { ...unsigned, hops: fields.hops, signature };
}

/** The verification job for a request's signature (run in the worker pool). */
export function traceRequestVerifyItem(network: string, request: TraceRequest): VerifyItem {
  return { publicKey: fromHex(request.origin)!, message: signingBytes(network, request), signature: fromHex(request.signature)! };
}

export function encodeTraceRequest(request: TraceRequest): Uint8Array {
  if (!Number.isInteger(request.hops) || request.hops < 1 || request.hops > MAX_TRACE_HOPS) throw new RangeError(`TRACE_REQUEST hops must be 1..${MAX_TRACE_HOPS}, got ${request.hops}`);
  const signature = fromHex(request.signature);
  if (signature?.length !== 64) throw new RangeError('TRACE_REQUEST signature must be 64-byte hex');
  return new ByteWriter().bytes(nonceBytes(request.nonce)).bytes(hex32(request.txId, 'txId')).bytes(hex32(request.origin, 'origin'))
    .u64(request.issuedAtMs).u8(request.hops).bytes(signature).finish();
}

export function encodeTraceReport(report: TraceReport): Uint8Array {
  const writer = new ByteWriter().bytes(nonceBytes(report.nonce)).bytes(hex32(report.reporter, 'reporter')).u64(Math.max(0, Math.floor(report.firstSeenMs)));
  if (report.from === 'origin') return writer.u8(1).finish();
  return writer.u8(0).bytes(hex32(report.from, 'from')).u64(Math.max(0, Math.floor(report.fromLinkedAtMs ?? 0))).finish();
}

function decodeRequest(payload: Uint8Array): Result<TraceMessage> {
  if (payload.length !== TRACE_REQUEST_BYTES) return reject(payload.length < TRACE_REQUEST_BYTES ? 'truncated' : 'trailing-bytes', `TRACE_REQUEST is ${payload.length} bytes, expected ${TRACE_REQUEST_BYTES}`);
  const reader = new ByteReader(payload);
  const nonce = toHex(reader.bytes(TRACE_NONCE_BYTES));
  const txId = toHex(reader.bytes(32));
  const origin = toHex(reader.bytes(32));
  const issuedAtMs = reader.u64();
  const hops = reader.u8();
  const signature = toHex(reader.bytes(64));
  if (issuedAtMs === undefined) return reject('bad-field', 'TRACE_REQUEST issuedAtMs exceeds 2^53');
  if (hops < 1 || hops > MAX_TRACE_HOPS) return reject('bad-field', `TRACE_REQUEST hops ${hops}, expected 1..${MAX_TRACE_HOPS}`);
  return accept({ kind: 'request', request: { nonce, txId, origin, issuedAtMs, hops, signature } });
}

function decodeReport(payload: Uint8Array): Result<TraceMessage> {
  try {
    const reader = new ByteReader(payload);
    const nonce = toHex(reader.bytes(TRACE_NONCE_BYTES));
    const reporter = toHex(reader.bytes(32));
    const firstSeenMs = reader.u64();
    const source = reader.u8();
    if (firstSeenMs === undefined) return reject('bad-field', 'TRACE_REPORT firstSeenMs exceeds 2^53');
    if (source !== 0 && source !== 1) return reject('bad-field', `TRACE_REPORT source ${source}, expected 0 (a peer) or 1 (origin)`);
    const report: TraceReport = { nonce, reporter, firstSeenMs, from: 'origin' };
    if (source === 0) {
      report.from = toHex(reader.bytes(32));
      const fromLinkedAtMs = reader.u64();
      if (fromLinkedAtMs === undefined) return reject('bad-field', 'TRACE_REPORT fromLinkedAtMs exceeds 2^53');
      report.fromLinkedAtMs = fromLinkedAtMs;
    }
    if (reader.remaining !== 0) return reject('trailing-bytes', `TRACE_REPORT has ${reader.remaining} extra bytes`);
    return accept({ kind: 'report', report });
  } catch (error) {
    if (error instanceof TruncatedInputError) return reject('truncated', `TRACE_REPORT: ${error.message}`);
    throw error;
  }
}

/** Decodes a payload of one of the frame types above. */
export function decodeTraceFrame(type: number, payload: Uint8Array): Result<TraceMessage> {
  switch (type) {
    case TRACE_REQUEST: return decodeRequest(payload);
    case TRACE_REPORT: return decodeReport(payload);
    default: return reject('unknown-type', `frame type 0x${type.toString(16)} is not a trace frame`);
  }
}
