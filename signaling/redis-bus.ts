/**
 * What relay processes say to each other over Redis pub/sub (docs/PROTOCOL.md,
 * "Relays that share rooms"): one JSON object per message on the channel of
 * the process that holds the addressee. Everything read from Redis is
 * untrusted (another relay may be buggy or hostile; docs/SECURITY.md): it is
 * parsed here into a typed message or a rejection, with limits checked before
 * JSON.parse runs, and the caller counts and logs rejections, never throws.
 */
import { RELAY_MAX_FRAME_BYTES, isAttestedGroup, isPeerId, isSignalData } from '../src/core/relay-protocol.ts';
import { isValidNetworkName } from '../src/core/network.ts';
import { accept, reject, type Result } from '../src/core/result.ts';
import type { Logger, PeerId } from '../src/core/types.ts';

/** Version of the bus format; a message of another version is rejected (relays of one deployment upgrade together). */
export const BUS_VERSION = 1;
/** A signal frame plus its addressing: anything longer is not from a correct relay. */
export const BUS_MAX_MESSAGE_CHARS = RELAY_MAX_FRAME_BYTES + 1024;

/** A message for member `to` of `network`, held by the receiving process. */
export type BusMessage =
  /** `group`: the sender's or joiner's network group, attested by the relay that holds its socket. */
  | { v: 1; type: 'signal'; network: string; to: PeerId; from: PeerId; data: string; group?: string }
  | { v: 1; type: 'peer-joined'; network: string; to: PeerId; peerId: PeerId; group?: string };

/** Parses one pub/sub payload; limits first, then JSON, then every field. */
export function parseBusMessage(payload: unknown): Result<BusMessage> {
  if (typeof payload !== 'string') return reject('bad-field', 'bus message must be text');
  if (payload.length > BUS_MAX_MESSAGE_CHARS) return reject('too-large', `bus message is ${payload.length} characters, limit ${BUS_MAX_MESSAGE_CHARS}`);
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch (error) {
    if (error instanceof SyntaxError) return reject('bad-json', `bus message is not JSON: ${error.message}`);
    throw error;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('bad-field', 'bus message must be a JSON object');
  const message = value as Record<string, unknown>;
  if (message.v !== BUS_VERSION) return reject('bad-field', `bus message version must be ${BUS_VERSION}`);
  if (!isValidNetworkName(message.network)) return reject('bad-field', 'bus message network is not a network name');
  if (!isPeerId(message.to)) return reject('bad-field', 'bus message to must be a peer id');
  const { network, to } = message;
  if (message.group !== undefined && !isAttestedGroup(message.group)) return reject('bad-field', 'bus message group must be a network group');
  const group = message.group === undefined ? {} : { group: message.group };
  switch (message.type) {
    case 'signal':
      if (!isPeerId(message.from)) return reject('bad-field', 'bus signal from must be a peer id');
      if (!isSignalData(message.data)) return reject('bad-field', 'bus signal data must be a bounded non-empty string');
      return accept({ v: 1, type: 'signal', network, to, from: message.from, data: message.data, ...group });
    case 'peer-joined':
      if (!isPeerId(message.peerId)) return reject('bad-field', 'bus peer-joined peerId must be a peer id');
      return accept({ v: 1, type: 'peer-joined', network, to, peerId: message.peerId, ...group });
    default:
      return reject('unknown-type', 'bus message type is not signal or peer-joined');
  }
}

/**
 * A warning that is logged at most once per `intervalMs`, with the number
 * suppressed since: garbage flooding the channel must not flood the logs.
 */
export function createThrottledWarning(log: Logger, message: string, intervalMs: number, nowMs: () => number = () => performance.now()) {
  let lastMs = -Infinity;
  let suppressed = 0;
  return (fields: Record<string, unknown>): void => {
    const now = nowMs();
    if (now - lastMs < intervalMs) {
      suppressed++;
      return;
    }
    log.warn(message, suppressed > 0 ? { ...fields, suppressed } : fields);
    lastMs = now;
    suppressed = 0;
  };
}
