/**
 * The messages tabs of one browser and origin post on their BroadcastChannel
 * (docs/PROTOCOL.md, "Same-browser signaling"). Another tab may be buggy or
 * old, so every message is parsed here into a type or a rejection, with size
 * limits, before anything uses it.
 */
import { isHexOfLength } from '../core/bytes.ts';
import { RELAY_MAX_SIGNAL_CHARS } from '../core/relay-protocol.ts';
import type { PeerId } from '../core/types.ts';

/** Bumped on any incompatible change; messages of another version are ignored. */
export const CHANNEL_VERSION = 1;

/** The channel's name: one per network, so tabs of different networks never see each other's presence. */
export function channelName(network: string): string {
  return `tabmesh/signal/v${CHANNEL_VERSION}/${network}`;
}

/**
 * Every message carries the sender's `instance`: a random number drawn each
 * time its channel starts. A reloaded tab keeps its peer id, and messages of
 * two pages are not ordered on the channel, so the old page's `bye` may
 * arrive after the new page's `hello`: it is ignored when the instance differs.
 *
 * - hello: a tab arrives (or comes back); present tabs answer with `here`.
 * - here:  presence, as an answer and as the periodic heartbeat.
 * - bye:   a tab leaves (stopped, or its page is hidden for good).
 * - signal: a sealed signal envelope (hex) from `from` to `to`, as through the relay.
 */
export type ChannelMessage =
  | { v: typeof CHANNEL_VERSION; type: 'hello' | 'here' | 'bye'; from: PeerId; instance: number }
  | { v: typeof CHANNEL_VERSION; type: 'signal'; from: PeerId; instance: number; to: PeerId; data: string };

/** Instances are drawn below 2^48: unique enough among one browser's tabs, and exact in a double. */
export const MAX_INSTANCE = 2 ** 48;

export type ChannelReject = { ok: false; reason: 'not-an-object' | 'bad-version' | 'bad-type' | 'bad-field' | 'too-large' };
export type ChannelParse = { ok: true; value: ChannelMessage } | ChannelReject;

const reject = (reason: ChannelReject['reason']): ChannelReject => ({ ok: false, reason });
const isPeerId = (value: unknown): value is PeerId => isHexOfLength(value, 32);

/**
 * Parses a structured-clone value from the channel. The signal limit is the
 * relay's (RELAY_MAX_SIGNAL_CHARS, 60 KiB of hex: an SDP offer sealed with
 * room to spare), so an envelope that crosses one route crosses the other.
 */
export function parseChannelMessage(value: unknown): ChannelParse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('not-an-object');
  const message = value as Record<string, unknown>;
  if (message.v !== CHANNEL_VERSION) return reject('bad-version');
  if (!isPeerId(message.from)) return reject('bad-field');
  const { instance } = message;
  if (typeof instance !== 'number' || !Number.isSafeInteger(instance) || instance < 0 || instance >= MAX_INSTANCE) return reject('bad-field');
  switch (message.type) {
    case 'hello':
    case 'here':
    case 'bye':
      return { ok: true, value: { v: CHANNEL_VERSION, type: message.type, from: message.from, instance } };
    case 'signal': {
      if (!isPeerId(message.to)) return reject('bad-field');
      if (typeof message.data !== 'string' || message.data.length === 0) return reject('bad-field');
      if (message.data.length > RELAY_MAX_SIGNAL_CHARS) return reject('too-large');
      return { ok: true, value: { v: CHANNEL_VERSION, type: 'signal', from: message.from, instance, to: message.to, data: message.data } };
    }
    default:
      return reject('bad-type');
  }
}
