/**
 * Signed signaling envelopes (docs/PROTOCOL.md, "Signaling envelope").
 *
 * Every WebRTC signaling payload (offer, answer, ICE candidate) is wrapped and
 * signed by its sender before it crosses the relay. The offer and answer carry
 * each side's DTLS fingerprint, so the signature binds the encrypted channel to
 * the peer id: a relay that rewrites an SDP breaks the signature and the
 * receiver refuses the connection.
 *
 * Encoding: version u8 (=1) | from 32 | to 32 | sentAtMs u64 | bytes32(payload) | signature 64
 * Signed:   "tabmesh/signal/v1" || str8(network) || encoding without signature
 */
import { ByteReader, ByteWriter, TruncatedInputError, concatBytes, fromHex, fromUtf8, toHex, utf8 } from './bytes.ts';
import { accept, reject, type Result } from './result.ts';
import type { PeerId, Signer, VerifyItem } from './types.ts';

export const SIGNAL_VERSION = 1;
/** A data-channel SDP is 1–3 KB; 16 KiB bounds a hostile payload well above any real one. */
export const MAX_SIGNAL_PAYLOAD_BYTES = 16 * 1024;
/** Envelopes older or newer than this are refused, so a captured signal cannot be replayed later. */
export const SIGNAL_MAX_AGE_MS = 60_000;
const SIGNAL_DOMAIN = utf8('tabmesh/signal/v1');

export interface SignalEnvelope {
  from: PeerId;
  to: PeerId;
  sentAtMs: number;
  /** The WebRTC signaling payload as JSON text (simple-peer's signal data). */
  payload: string;
  signature: string;
}

function encodeUnsigned(envelope: Omit<SignalEnvelope, 'signature'>): Uint8Array {
  return new ByteWriter().u8(SIGNAL_VERSION).bytes(fromHex(envelope.from)!).bytes(fromHex(envelope.to)!)
    .u64(envelope.sentAtMs).bytes32(utf8(envelope.payload)).finish();
}

function signingBytes(network: string, envelope: Omit<SignalEnvelope, 'signature'>): Uint8Array {
  return concatBytes(SIGNAL_DOMAIN, new ByteWriter().str8(network).finish(), encodeUnsigned(envelope));
}

/** Signs a signaling payload for `to`; returns the envelope as hex, ready for the relay. */
export async function sealSignal(network: string, signer: Signer, to: PeerId, payload: string, sentAtMs: number): Promise<string> {
  const unsigned = { from: signer.peerId, to, sentAtMs: Math.floor(sentAtMs), payload };
  const signature = await signer.sign(signingBytes(network, unsigned));
  return toHex(concatBytes(encodeUnsigned(unsigned), signature));
}

/** Parses an envelope (hex) into fields; the signature is checked separately, in the worker. */
export function openSignal(hex: string): Result<SignalEnvelope> {
  const bytes = fromHex(hex);
  if (bytes === undefined) return reject('bad-field', 'signal envelope must be hex');
  const reader = new ByteReader(bytes);
  try {
    const version = reader.u8();
    if (version !== SIGNAL_VERSION) return reject('bad-version', `signal version ${version}, expected ${SIGNAL_VERSION}`);
    const from = toHex(reader.bytes(32));
    const to = toHex(reader.bytes(32));
    const sentAtMs = reader.u64();
    const payloadBytes = reader.bytes32(MAX_SIGNAL_PAYLOAD_BYTES);
    if (payloadBytes === undefined) return reject('too-large', `signal payload exceeds ${MAX_SIGNAL_PAYLOAD_BYTES} bytes`);
    const signature = toHex(reader.bytes(64));
    if (reader.remaining !== 0) return reject('trailing-bytes', `signal envelope has ${reader.remaining} extra bytes`);
    const payload = fromUtf8(payloadBytes);
    if (sentAtMs === undefined || payload === undefined) return reject('bad-field', 'signal sentAtMs or payload is malformed');
    return accept({ from, to, sentAtMs, payload, signature });
  } catch (error) {
    if (error instanceof TruncatedInputError) return reject('truncated', `signal envelope: ${error.message}`);
    throw error;
  }
}

/**
 * Checks everything about an envelope except its signature: that the relay's
 * stamped sender matches the signer, that it is addressed to us, and that it is fresh.
 */
export function checkSignalContext(envelope: SignalEnvelope, context: { stampedFrom: PeerId; self: PeerId; nowMs: number }): Result<SignalEnvelope> {
  if (envelope.from !== context.stampedFrom) return reject('bad-field', 'signal signer differs from the sender the relay stamped');
  if (envelope.to !== context.self) return reject('wrong-recipient', 'signal is addressed to another peer');
  if (Math.abs(context.nowMs - envelope.sentAtMs) > SIGNAL_MAX_AGE_MS) return reject('expired', `signal is more than ${SIGNAL_MAX_AGE_MS / 1000} s from our clock`);
  return accept(envelope);
}

/** The verification job for an envelope's signature. */
export function signalVerifyItem(network: string, envelope: SignalEnvelope): VerifyItem {
  return { publicKey: fromHex(envelope.from)!, message: signingBytes(network, envelope), signature: fromHex(envelope.signature)! };
}
