/**
 * Guards the WebRTC signaling payload inside a verified envelope before it is
 * handed to simple-peer, which would otherwise throw on surprising input.
 */
import { describeValue } from '../core/describe-value.ts';
import { accept, reject, type Result } from '../core/result.ts';

export type SignalKind = 'offer' | 'answer' | 'candidate' | 'renegotiate' | 'transceiverRequest';
const KINDS: ReadonlySet<string> = new Set<SignalKind>(['offer', 'answer', 'candidate', 'renegotiate', 'transceiverRequest']);

export interface SignalPayload {
  type: SignalKind;
  /** The object simple-peer's `signal()` accepts. */
  data: Record<string, unknown>;
}

/**
 * Why an ICE candidate is not one RTCIceCandidate accepts, or undefined. Checked here so a signed but
 * hostile peer's candidate is refused with a reason instead of throwing inside simple-peer.
 */
function candidateProblem(candidate: unknown): string | undefined {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return 'candidate needs a candidate object';
  const fields = candidate as Record<string, unknown>;
  if (typeof fields.candidate !== 'string') return 'candidate.candidate must be a string';
  if (fields.sdpMid !== undefined && fields.sdpMid !== null && typeof fields.sdpMid !== 'string') return 'candidate.sdpMid must be a string or null';
  const index = fields.sdpMLineIndex;
  if (index !== undefined && index !== null && !(Number.isInteger(index) && (index as number) >= 0 && (index as number) <= 65_535)) {
    return 'candidate.sdpMLineIndex must be an integer from 0 to 65535 or null';
  }
  return undefined;
}

export function parseSignalPayload(text: string): Result<SignalPayload> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return reject('bad-json', `signal payload is not JSON: ${error.message}`);
    throw error;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('bad-field', 'signal payload must be an object');
  const data = value as Record<string, unknown>;
  if (typeof data.type !== 'string' || !KINDS.has(data.type)) return reject('unknown-type', `signal payload type ${describeValue(data.type)}`);
  if ((data.type === 'offer' || data.type === 'answer') && typeof data.sdp !== 'string') return reject('bad-field', `${data.type} needs an sdp string`);
  if (data.type === 'candidate') {
    const problem = candidateProblem(data.candidate);
    if (problem) return reject('bad-field', problem);
  }
  return accept({ type: data.type as SignalKind, data });
}

/**
 * Glare: both sides sent an offer at once. The offer from the lower peer id
 * wins, decided the same way on both sides, so exactly one connection
 * survives. True when our own offer (from `selfId`) beats one from `from`.
 */
export function ownOfferWinsGlare(selfId: string, from: string): boolean {
  return selfId < from;
}
