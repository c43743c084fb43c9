/**
 * Messages between a tab and the signaling relay (docs/PROTOCOL.md, "Relay").
 * Text WebSocket frames holding one JSON object each. Both sides parse what
 * they receive into a typed message or a Reject; nothing is trusted unparsed.
 *
 * Join handshake: the relay sends a random 32-byte challenge; the tab answers
 * with its peer id and an Ed25519 signature over
 * `"tabmesh/relay-join/v1" || str8(network) || challenge`. Only then does the
 * relay admit it to the room, so nobody can join under another peer's id.
 * The join also carries the id's identity stamp (docs/PROTOCOL.md, "Identity
 * stamp"), checked before the signature: an id that cost no work is refused.
 *
 * Rooms have no fixed size: a welcome carries a random sample of members, and
 * a tab that is well linked tells the relay it is `idle` so that samples
 * mostly hold tabs that still need peers (docs/PROTOCOL.md, "Relay").
 */
import { ByteWriter, concatBytes, fromHex, isHexOfLength, utf8 } from './bytes.ts';
import { describeValue } from './describe-value.ts';
import { isStampNonce } from './identity-stamp.ts';
import { isValidNetworkName } from './network.ts';
import { accept, reject, type Result } from './result.ts';
import type { PeerId } from './types.ts';

/** Relay frame limit. An SDP offer is 2–6 KB, hex-doubled inside a signed envelope; 64 KiB leaves room. */
export const RELAY_MAX_FRAME_BYTES = 64 * 1024;
/** Signal payloads are hex of a signed envelope (see signal-envelope.ts), bounded below the frame size. */
export const RELAY_MAX_SIGNAL_CHARS = 60 * 1024;
/**
 * A welcome a tab accepts lists at most this many members: 256 ids are 16.6 KB
 * of JSON, well within the frame limit. Relays send a sample of 32
 * (signaling/relay-server.ts), and older relays sent up to 256.
 */
export const RELAY_MAX_WELCOME_PEERS = 256;
/** `welcome.features` holds at most this many short names; unknown names are ignored. */
export const RELAY_MAX_FEATURES = 16;
/**
 * Feature a relay lists in `welcome.features` when it understands
 * `{type:'active'}` / `{type:'idle'}`. A tab sends them only then, so an
 * older relay never counts them as protocol errors.
 */
export const RELAY_FEATURE_ACTIVITY = 'activity';

const JOIN_DOMAIN = utf8('tabmesh/relay-join/v1');

export type RelayErrorCode =
  | 'bad-json'
  | 'binary-frame'
  | 'too-large'
  | 'unknown-type'
  | 'bad-field'
  | 'not-joined'
  | 'already-joined'
  | 'bad-signature'
  | 'room-full'
  | 'rate-limited'
  | 'unknown-peer'
  /** The join's identity stamp is missing or short of the network's work. */
  | 'bad-stamp'
  /** The client's address already holds as many members as the relay allows one address. */
  | 'address-limit';

export type ClientMessage =
  /** `identityStamp` is optional on the wire, so a join from before stamps parses and is refused by name ('bad-stamp'). */
  | { type: 'join'; network: string; peerId: PeerId; signature: string; identityStamp?: number }
  | { type: 'signal'; to: PeerId; data: string }
  /** Short of links: put me in the samples welcomes are drawn from (a joiner starts active). */
  | { type: 'active' }
  /** Well linked: sample others first. Signals addressed to me are still delivered. */
  | { type: 'idle' };

export type ServerMessage =
  | { type: 'challenge'; nonce: string }
  /**
   * `peers` is a random sample of the room, not all of it; `features` lists optional messages the relay
   * understands. `groups[i]`, when present, is the network group the relay attests for `peers[i]` (null: none
   * known, or an address without a group); see RelayAttestedGroup.
   */
  | { type: 'welcome'; peerId: PeerId; peers: PeerId[]; features?: string[]; groups?: (RelayAttestedGroup | null)[] }
  | { type: 'peer-joined'; peerId: PeerId; group?: RelayAttestedGroup }
  | { type: 'peer-left'; peerId: PeerId }
  | { type: 'signal'; from: PeerId; data: string; group?: RelayAttestedGroup }
  | { type: 'error'; code: RelayErrorCode; message: string };

/**
 * A member's network group as the relay attests it (docs/PROTOCOL.md, "Relay"): the /16 of the IPv4 or the
 * /32 of the IPv6 address its socket comes from (core/peers/network-group.ts, the rule links use), never the
 * address itself. Tabs apply their per-group link limits with it before a link forms.
 */
export type RelayAttestedGroup = string;

/** `ip4:a.b` or `ip6:x:y` (hex words), as networkGroupOf writes them. */
export const isAttestedGroup = (value: unknown): value is RelayAttestedGroup =>
  typeof value === 'string' && /^(ip4:\d{1,3}\.\d{1,3}|ip6:[0-9a-f]{1,4}:[0-9a-f]{1,4})$/.test(value);

/** The bytes a tab signs to prove it owns `peerId` when joining `network`. */
export function joinSigningBytes(network: string, challenge: Uint8Array): Uint8Array {
  return concatBytes(JOIN_DOMAIN, new ByteWriter().str8(network).finish(), challenge);
}

/** Decodes a challenge nonce (32 bytes hex). */
export function challengeBytes(nonce: string): Uint8Array | undefined {
  return isHexOfLength(nonce, 32) ? fromHex(nonce) : undefined;
}

function parseJsonObject(text: string, maxChars: number): Result<Record<string, unknown>> {
  if (text.length > maxChars) return reject('too-large', `frame is ${text.length} characters, limit ${maxChars}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return reject('bad-json', `not JSON: ${error.message}`);
    throw error;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('bad-field', 'frame must be a JSON object');
  return accept(value as Record<string, unknown>);
}

/** A peer id as the relay carries it: 64 lower-case hex characters (an Ed25519 public key). */
export const isPeerId = (value: unknown): value is PeerId => isHexOfLength(value, 32);
const isFeatureName = (value: unknown): value is string => typeof value === 'string' && /^[a-z0-9-]{1,32}$/.test(value);
/** A signal payload: a non-empty string of at most RELAY_MAX_SIGNAL_CHARS. */
export const isSignalData = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= RELAY_MAX_SIGNAL_CHARS;

/** Parses a frame a tab sent to the relay. */
export function parseClientMessage(text: string): Result<ClientMessage> {
  const parsed = parseJsonObject(text, RELAY_MAX_FRAME_BYTES);
  if (!parsed.ok) return parsed;
  const message = parsed.value;
  switch (message.type) {
    case 'join':
      if (!isValidNetworkName(message.network)) return reject('bad-field', 'join.network must be 1-32 letters, digits, - or _');
      if (!isPeerId(message.peerId)) return reject('bad-field', 'join.peerId must be 64 hex characters');
      if (!isHexOfLength(message.signature, 64)) return reject('bad-field', 'join.signature must be 128 hex characters');
      if (message.identityStamp !== undefined && !isStampNonce(message.identityStamp)) return reject('bad-field', 'join.identityStamp must be a non-negative integer below 2^53');
      return accept({
        type: 'join', network: message.network, peerId: message.peerId, signature: message.signature,
        ...(message.identityStamp === undefined ? {} : { identityStamp: message.identityStamp }),
      });
    case 'signal':
      if (!isPeerId(message.to)) return reject('bad-field', 'signal.to must be 64 hex characters');
      if (!isSignalData(message.data)) return reject('bad-field', `signal.data must be a non-empty string of at most ${RELAY_MAX_SIGNAL_CHARS} characters`);
      return accept({ type: 'signal', to: message.to, data: message.data });
    case 'active':
    case 'idle':
      return accept({ type: message.type });
    default:
      return reject('unknown-type', `unknown message type ${describeValue(message.type)}`);
  }
}

const ERROR_CODES: ReadonlySet<string> = new Set<RelayErrorCode>([
  'bad-json', 'binary-frame', 'too-large', 'unknown-type', 'bad-field', 'not-joined',
  'already-joined', 'bad-signature', 'room-full', 'rate-limited', 'unknown-peer', 'bad-stamp', 'address-limit',
]);

/** Parses a frame the relay sent to a tab. A tab trusts the relay for introductions only. */
export function parseServerMessage(text: string): Result<ServerMessage> {
  const parsed = parseJsonObject(text, RELAY_MAX_FRAME_BYTES);
  if (!parsed.ok) return parsed;
  const message = parsed.value;
  switch (message.type) {
    case 'challenge':
      if (!isHexOfLength(message.nonce, 32)) return reject('bad-field', 'challenge.nonce must be 64 hex characters');
      return accept({ type: 'challenge', nonce: message.nonce });
    case 'welcome': {
      const peers = message.peers;
      if (!isPeerId(message.peerId)) return reject('bad-field', 'welcome.peerId must be 64 hex characters');
      if (!Array.isArray(peers) || peers.length > RELAY_MAX_WELCOME_PEERS || !peers.every(isPeerId)) {
        return reject('bad-field', `welcome.peers must be at most ${RELAY_MAX_WELCOME_PEERS} peer ids`);
      }
      const { features, groups } = message;
      if (features !== undefined && (!Array.isArray(features) || features.length > RELAY_MAX_FEATURES || !features.every(isFeatureName))) {
        return reject('bad-field', `welcome.features must be at most ${RELAY_MAX_FEATURES} short names`);
      }
      if (groups !== undefined && (!Array.isArray(groups) || groups.length !== peers.length || !groups.every((group) => group === null || isAttestedGroup(group)))) {
        return reject('bad-field', 'welcome.groups must list a network group or null for each peer');
      }
      return accept({
        type: 'welcome', peerId: message.peerId, peers,
        ...(features === undefined ? {} : { features: features as string[] }),
        ...(groups === undefined ? {} : { groups: groups as (RelayAttestedGroup | null)[] }),
      });
    }
    case 'peer-joined':
    case 'peer-left':
      if (!isPeerId(message.peerId)) return reject('bad-field', `${message.type}.peerId must be 64 hex characters`);
      if (message.type === 'peer-joined' && message.group !== undefined) {
        if (!isAttestedGroup(message.group)) return reject('bad-field', 'peer-joined.group must be a network group');
        return accept({ type: 'peer-joined', peerId: message.peerId, group: message.group });
      }
      return accept({ type: message.type, peerId: message.peerId });
    case 'signal':
      if (!isPeerId(message.from)) return reject('bad-field', 'signal.from must be 64 hex characters');
      if (!isSignalData(message.data)) return reject('bad-field', 'signal.data must be a bounded non-empty string');
      if (message.group !== undefined && !isAttestedGroup(message.group)) return reject('bad-field', 'signal.group must be a network group');
      return accept({ type: 'signal', from: message.from, data: message.data, ...(message.group === undefined ? {} : { group: message.group }) });
    case 'error':
      if (typeof message.code !== 'string' || !ERROR_CODES.has(message.code)) return reject('bad-field', 'error.code is not a known code');
      if (typeof message.message !== 'string' || message.message.length > 500) return reject('bad-field', 'error.message must be a short string');
      return accept({ type: 'error', code: message.code as RelayErrorCode, message: message.message });
    default:
      return reject('unknown-type', `unknown message type ${describeValue(message.type)}`);
  }
}
