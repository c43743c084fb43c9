/**
 * A man-in-the-middle in front of the real signaling relay: tabs connect to
 * it (?relay=ws://127.0.0.1:PORT/signal) and it forwards every frame to the
 * relay and back. With `rewrite` on, it changes the DTLS fingerprint inside
 * every SDP a tab sends, keeping the sender's original signature: exactly
 * what a relay would do to put itself between two tabs. The receiving tab
 * must see that the signature no longer covers the envelope and refuse it
 * (docs/PROTOCOL.md, "Signaling envelope"). With `rewrite` off it is a plain
 * pipe, which shows that the proxy itself does not break linking.
 */
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ByteWriter, concatBytes, fromHex, toHex, utf8 } from '../../src/core/bytes.ts';
import { openSignal, SIGNAL_VERSION, type SignalEnvelope } from '../../src/core/signal-envelope.ts';

export interface MitmRelayInit {
  /** The real relay, e.g. ws://127.0.0.1:4317/signal. */
  upstreamUrl: string;
  /** Rewrite SDP fingerprints in signals sent by tabs. */
  rewrite: boolean;
}

export interface MitmRelay {
  /** The URL tabs should use as their relay. */
  url: string;
  /** Signal frames forwarded from tabs to the relay. */
  signalsForwarded(): number;
  /** Of those, how many had an SDP fingerprint rewritten. */
  signalsRewritten(): number;
  /** Frames the proxy could not handle (each also closed its tab's socket); a test expects none. */
  failures(): string[];
  close(): Promise<void>;
}

const FINGERPRINT_LINE = /(a=fingerprint:sha-256 )([0-9A-Fa-f:]+)/g;

/** Shifts every hex digit of the fingerprint by one: same length, different certificate hash. */
function shiftHexDigits(hex: string): string {
  return hex.replace(/[0-9A-Fa-f]/g, (digit) => ((parseInt(digit, 16) + 1) % 16).toString(16).toUpperCase());
}

/**
 * Re-encodes an envelope in the layout of src/core/signal-envelope.ts with a
 * changed payload and the ORIGINAL signature. There is deliberately no
 * project function for this: only an attacker builds such bytes.
 */
function reencodeWithOldSignature(envelope: SignalEnvelope, payload: string): string {
  const body = new ByteWriter().u8(SIGNAL_VERSION).bytes(fromHex(envelope.from)!).bytes(fromHex(envelope.to)!)
    .u64(envelope.sentAtMs).bytes32(utf8(payload)).finish();
  return toHex(concatBytes(body, fromHex(envelope.signature)!));
}

/** Returns the envelope hex with its SDP fingerprint changed, or undefined when it carries no SDP. */
export function rewriteSignalData(data: string): string | undefined {
  const opened = openSignal(data);
  if (!opened.ok) throw new Error(`mitm: tab sent an envelope that does not parse: ${opened.detail}`);
  const envelope = opened.value;
  const payload = JSON.parse(envelope.payload) as { sdp?: unknown };
  if (typeof payload.sdp !== 'string' || !FINGERPRINT_LINE.test(payload.sdp)) return undefined;
  FINGERPRINT_LINE.lastIndex = 0;
  const sdp = payload.sdp.replace(FINGERPRINT_LINE, (_, prefix: string, hex: string) => prefix + shiftHexDigits(hex));
  const rewritten = reencodeWithOldSignature(envelope, JSON.stringify({ ...payload, sdp }));
  // Self-check: the forgery must still parse, so it is the signature check that stops it.
  const check = openSignal(rewritten);
  if (!check.ok || check.value.signature !== envelope.signature || check.value.payload === envelope.payload) {
    throw new Error('mitm: rewritten envelope is not the intended forgery');
  }
  return rewritten;
}

export async function startMitmRelay(init: MitmRelayInit): Promise<MitmRelay> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/signal' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  let forwarded = 0;
  let rewritten = 0;
  const failures: string[] = [];
  const sockets = new Set<WebSocket>();

  function fromTab(data: RawData, isBinary: boolean): RawData | string {
    if (isBinary) return data;
    const text = String(data);
    let message: { type?: unknown; data?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch (error) {
      if (error instanceof SyntaxError) return text; // not ours to judge: the relay rejects it
      throw error;
    }
    if (message.type !== 'signal' || typeof message.data !== 'string') return text;
    forwarded++;
    if (!init.rewrite) return text;
    const changed = rewriteSignalData(message.data);
    if (changed === undefined) return text;
    rewritten++;
    return JSON.stringify({ ...message, data: changed });
  }

  server.on('connection', (tab) => {
    const upstream = new WebSocket(init.upstreamUrl);
    sockets.add(tab).add(upstream);
    const queued: (RawData | string)[] = [];
    tab.on('message', (data, isBinary) => {
      let out: RawData | string;
      try {
        out = fromTab(data, isBinary);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
        tab.close(1011, 'mitm could not handle a frame');
        return;
      }
      if (upstream.readyState === WebSocket.OPEN) upstream.send(out, { binary: isBinary });
      else queued.push(out);
    });
    upstream.on('open', () => {
      for (const out of queued.splice(0)) upstream.send(out, { binary: false });
    });
    upstream.on('message', (data, isBinary) => {
      if (tab.readyState === WebSocket.OPEN) tab.send(data, { binary: isBinary });
    });
    const closeBoth = () => {
      sockets.delete(tab);
      sockets.delete(upstream);
      if (tab.readyState === WebSocket.OPEN) tab.close(1001, 'upstream closed');
      if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
    };
    tab.on('close', closeBoth);
    upstream.on('close', closeBoth);
    tab.on('error', (error) => console.warn(`mitm: tab socket error: ${error.message}`));
    upstream.on('error', (error) => console.warn(`mitm: upstream socket error: ${error.message}`));
  });

  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('mitm: expected a TCP address');
  return {
    url: `ws://127.0.0.1:${address.port}/signal`,
    signalsForwarded: () => forwarded,
    signalsRewritten: () => rewritten,
    failures: () => [...failures],
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.terminate();
      server.close(() => resolve());
    }),
  };
}
