/**
 * The tab's side of the signaling relay (docs/PROTOCOL.md, "Relay"). It
 * proves ownership of its peer id by signing the relay's challenge, reports
 * who is in the room, and carries opaque signed envelopes to and from peers.
 * It reconnects with jittered backoff; the mesh does not depend on it staying up.
 */
import { toHex } from '../core/bytes.ts';
import { Emitter } from '../core/emitter.ts';
import { challengeBytes, joinSigningBytes, parseServerMessage, type ClientMessage } from '../core/relay-protocol.ts';
import type { Logger, PeerId, Signer } from '../core/types.ts';
import { createBackoff } from './backoff.ts';

export type RelayStatus = 'connecting' | 'open' | 'closed';

export type SignalingEvents = {
  status: [status: RelayStatus];
  /** Room members at join time (welcome) and later arrivals. */
  'peer-joined': [peerId: PeerId];
  'peer-left': [peerId: PeerId];
  welcome: [peers: PeerId[]];
  signal: [from: PeerId, data: string];
};

export interface SignalingClientInit {
  url: string;
  network: string;
  signer: Signer;
  log: Logger;
  /** Injected so Node harnesses can pass `ws`. */
  WebSocketImpl?: typeof WebSocket;
}

export type SignalingClient = ReturnType<typeof createSignalingClient>;

export function createSignalingClient(init: SignalingClientInit) {
  const events = new Emitter<SignalingEvents>();
  const backoff = createBackoff();
  const WebSocketImpl = init.WebSocketImpl ?? WebSocket;
  let socket: WebSocket | undefined;
  let status: RelayStatus = 'closed';
  let joined = false;
  let stopped = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  function setStatus(next: RelayStatus): void {
    if (next === status) return;
    status = next;
    events.emit('status', next);
  }

  function connect(): void {
    if (stopped) return;
    setStatus('connecting');
    joined = false;
    const ws = new WebSocketImpl(init.url);
    socket = ws;
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return init.log.warn('relay sent a binary frame; ignored');
      void handleMessage(ws, event.data);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = undefined;
      setStatus('closed');
      if (stopped) return;
      const delayMs = backoff.nextDelayMs();
      init.log.info('relay connection closed; reconnecting', { code: event.code, reason: event.reason, delayMs });
      reconnectTimer = setTimeout(connect, delayMs);
    };
    ws.onerror = () => init.log.warn('relay connection error', { url: init.url });
  }

  function send(ws: WebSocket, message: ClientMessage): boolean {
    if (ws.readyState !== WebSocketImpl.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  async function handleMessage(ws: WebSocket, text: string): Promise<void> {
    const parsed = parseServerMessage(text);
    if (!parsed.ok) return init.log.warn('relay sent a malformed message; ignored', { reason: parsed.reason, detail: parsed.detail });
    const message = parsed.value;
    switch (message.type) {
      case 'challenge': {
        const signature = await init.signer.sign(joinSigningBytes(init.network, challengeBytes(message.nonce)!));
        send(ws, { type: 'join', network: init.network, peerId: init.signer.peerId, signature: toHex(signature) });
        return;
      }
      case 'welcome':
        joined = true;
        backoff.reset();
        setStatus('open');
        events.emit('welcome', message.peers.filter((id) => id !== init.signer.peerId));
        return;
      case 'peer-joined':
      case 'peer-left':
        if (message.peerId !== init.signer.peerId) events.emit(message.type, message.peerId);
        return;
      case 'signal':
        events.emit('signal', message.from, message.data);
        return;
      case 'error':
        init.log.warn('relay reported an error', { code: message.code, message: message.message });
        return;
    }
  }

  return {
    events,
    start(): void {
      stopped = false;
      connect();
    },
    status(): RelayStatus {
      return status;
    },
    /** Sends a signed envelope to `to` through the relay; false when the relay is not joined. */
    sendSignal(to: PeerId, data: string): boolean {
      return joined && socket !== undefined && send(socket, { type: 'signal', to, data });
    },
    stop(): void {
      stopped = true;
      clearTimeout(reconnectTimer);
      socket?.close(1000, 'peer closing');
      socket = undefined;
      setStatus('closed');
    },
  };
}
