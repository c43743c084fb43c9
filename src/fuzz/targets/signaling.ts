/**
 * Signaling: the signed envelope (core/signal-envelope.ts), the WebRTC
 * payload inside it (net/signal-payload.ts), same-browser channel messages
 * (net/broadcast-signaling-messages.ts), relay messages in both directions
 * (core/relay-protocol.ts) and the relays' Redis bus (signaling/redis-bus.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import * as fc from 'fast-check';
import { fromHex, toHex } from '../../core/bytes.ts';
import { parseClientMessage, parseServerMessage } from '../../core/relay-protocol.ts';
import { openSignal } from '../../core/signal-envelope.ts';
import { parseChannelMessage } from '../../net/broadcast-signaling-messages.ts';
import { parseSignalPayload } from '../../net/signal-payload.ts';
import { parseBusMessage } from '../../../signaling/redis-bus.ts';
import { checkResult, invariant, sameBytes, type FuzzTarget } from '../fuzz-target.ts';
import { untrustedBytes } from '../mutate.ts';
import { hexOf, untrustedJson } from '../untrusted-json.ts';
import { encodeEnvelope, envelopeBytes } from '../valid-core.ts';

const peerId = hexOf(32);
const signalData = fc.oneof(hexOf(64), fc.string({ minLength: 1, maxLength: 64 }));

/** A decoder of JSON text, in any of the project's result shapes. */
type TextDecoderFn = (text: string) => { ok: true; value: unknown } | { ok: false; reason: string; detail?: string };

/**
 * A target for a JSON message decoder. Unless `roundTrip` is false, an
 * accepted message must survive a JSON round trip: re-sent, it parses to the
 * same JSON (compared as text, so -0 and 0 are one value, as on the wire).
 */
function jsonTarget(
  name: string, decoder: string, parse: TextDecoderFn, valid: fc.Arbitrary<Record<string, unknown>>, extraKeys: string[], roundTrip = true,
): FuzzTarget<string> {
  return {
    name,
    decoders: [decoder],
    arbitrary: untrustedJson(valid, extraKeys),
    check: (text) => {
      const parsed = parse(text);
      if (!checkResult(parsed, decoder) || !parsed.ok) return 'rejected';
      if (!roundTrip) return 'accepted';
      const sent = JSON.stringify(parsed.value);
      const again = parse(sent);
      invariant(again.ok && JSON.stringify(again.value) === sent, `${decoder}: an accepted message does not survive JSON.stringify and parse`);
      return 'accepted';
    },
  };
}

export const signalEnvelopeTarget: FuzzTarget<Uint8Array | string> = {
  name: 'signal-envelope',
  decoders: ['core/signal-envelope.ts openSignal'],
  arbitrary: fc.oneof({ arbitrary: untrustedBytes(envelopeBytes), weight: 9 }, { arbitrary: fc.string({ maxLength: 80 }), weight: 1 }),
  check: (input) => {
    const hex = typeof input === 'string' ? input : toHex(input);
    const opened = openSignal(hex);
    if (!checkResult(opened, 'openSignal') || !opened.ok) return 'rejected';
    const envelope = opened.value;
    sameBytes(encodeEnvelope({ ...envelope, signature: fromHex(envelope.signature)! }), fromHex(hex)!, 'openSignal');
    return 'accepted';
  },
};

const signalPayload = fc.oneof(
  fc.record({ type: fc.constantFrom('offer', 'answer'), sdp: fc.string({ maxLength: 64 }) }),
  fc.record({ type: fc.constant('candidate'), candidate: fc.record({ candidate: fc.string({ maxLength: 40 }), sdpMid: fc.constant('0') }) }),
  fc.record({ type: fc.constantFrom('renegotiate', 'transceiverRequest') }),
);

export const signalPayloadTarget = jsonTarget('signal-payload', 'net/signal-payload.ts parseSignalPayload', parseSignalPayload, signalPayload, ['type', 'sdp', 'candidate'],
  // No round trip: the decoder checks the fields simple-peer reads and hands the object on as it came (extra fields and all).
  false);

const relayClient = fc.oneof(
  fc.record({ type: fc.constant('join'), network: fc.constantFrom('main', 'test-1', 'a_b'), peerId, signature: hexOf(64), identityStamp: fc.maxSafeNat() }, { requiredKeys: ['type', 'network', 'peerId', 'signature'] }),
  fc.record({ type: fc.constant('signal'), to: peerId, data: signalData }),
  fc.record({ type: fc.constantFrom('active', 'idle') }),
);
export const relayClientTarget = jsonTarget('relay-client', 'core/relay-protocol.ts parseClientMessage', parseClientMessage, relayClient, ['type']);

const relayServer = fc.oneof(
  fc.record({ type: fc.constant('challenge'), nonce: hexOf(32) }),
  fc.record({ type: fc.constant('welcome'), peerId, peers: fc.array(peerId, { maxLength: 4 }), features: fc.array(fc.constantFrom('activity', 'x-1'), { maxLength: 3 }) }, { requiredKeys: ['type', 'peerId', 'peers'] }),
  fc.record({ type: fc.constantFrom('peer-joined', 'peer-left'), peerId }),
  fc.record({ type: fc.constant('signal'), from: peerId, data: signalData }),
  fc.record({ type: fc.constant('error'), code: fc.constantFrom('bad-json', 'room-full', 'bad-stamp', 'address-limit'), message: fc.string({ maxLength: 40 }) }),
);
export const relayServerTarget = jsonTarget('relay-server', 'core/relay-protocol.ts parseServerMessage', parseServerMessage, relayServer, ['type']);

const busMessage = fc.oneof(
  fc.record({ v: fc.constant(1), type: fc.constant('signal'), network: fc.constant('main'), to: peerId, from: peerId, data: signalData }),
  fc.record({ v: fc.constant(1), type: fc.constant('peer-joined'), network: fc.constant('test-1'), to: peerId, peerId }),
);
export const relayBusTarget = jsonTarget('relay-bus', 'signaling/redis-bus.ts parseBusMessage', parseBusMessage, busMessage, ['v', 'type']);

const channelMessage = fc.oneof(
  fc.record({ v: fc.constant(1), type: fc.constantFrom('hello', 'here', 'bye'), from: peerId, instance: fc.integer({ min: 0, max: 2 ** 48 - 1 }) }),
  fc.record({ v: fc.constant(1), type: fc.constant('signal'), from: peerId, instance: fc.integer({ min: 0, max: 2 ** 48 - 1 }), to: peerId, data: signalData }),
);

/** Channel messages arrive as structured-clone values: the target decodes JSON text to get one, then hands the value over. */
export const channelMessagesTarget: FuzzTarget<string> = {
  name: 'channel-messages',
  decoders: ['net/broadcast-signaling-messages.ts parseChannelMessage'],
  arbitrary: untrustedJson(channelMessage, ['v', 'type', 'instance']),
  check: (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      value = text;
    }
    const parsed = parseChannelMessage(value);
    if (!checkResult(parsed, 'parseChannelMessage') || !parsed.ok) return 'rejected';
    const again = parseChannelMessage(structuredClone(parsed.value));
    invariant(again.ok && isDeepStrictEqual(again.value, parsed.value), 'parseChannelMessage: an accepted message does not survive structuredClone');
    return 'accepted';
  },
};
