/**
 * The tab's side of the signaling relay (docs/PROTOCOL.md, "Relay"). It
 * proves ownership of its peer id by signing the relay's challenge (and its
 * cost with the identity stamp), reports
 * who is in the room, and carries opaque signed envelopes to and from peers.
 * It reconnects with jittered backoff; the mesh does not depend on it staying up.
 *
 * The relay shows a sample of the room, not all of it, and announces neither
 * every join nor any leave (docs/PROTOCOL.md, "Relay"). So this client
 * reports as a room member (`peer-joined`) anyone who signals it through the
 * relay, since the relay evidently reaches them, and tells the relay whether
 * this tab still wants peers (setActive) so well-linked tabs drop out of samples.
 */
import { toHex } from '../core/bytes.ts';
import { Emitter } from '../core/emitter.ts';
import {
  RELAY_FEATURE_ACTIVITY, challengeBytes, joinSigningBytes, parseServerMessage, type ClientMessage,
} from '../core/relay-protocol.ts';
import type { Logger, PeerId, Signer } from '../core/types.ts';
import { createBackoff } from './backoff.ts';

export type RelayStatus = 'connecting' | 'open' | 'closed';

export type SignalingEvents = {
  status: [status: RelayStatus];
  /**
   * A room member this tab had not heard of: announced by the relay, or one
   * that signalled us through it (so answers can go back the same way).
   * `group` is its network group as the relay attests it, when it does.
   */
  'peer-joined': [peerId: PeerId, group?: string];
  /** The relay no longer has this member (it answered a signal to it with peer-left). */
  'peer-left': [peerId: PeerId];
  /** A random sample of the room at join time; `groups[i]` is `peers[i]`'s attested network group, when the relay gives one. */
  welcome: [peers: PeerId[], groups?: (string | undefined)[]];
  /** `group`: the sender's network group as the relay attests it, when it does. */
  signal: [from: PeerId, data: string, group?: string];
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

/** Room ids remembered only to report each as `peer-joined` once; past this the memory starts afresh. */
const MAX_REMEMBERED_MEMBERS = 4096;

export function createSignalingClient(init: SignalingClientInit) {
  const events = new Emitter<SignalingEvents>();
  const backoff = createBackoff();
  const WebSocketImpl = init.WebSocketImpl ?? WebSocket;
  let socket: WebSocket | undefined;
  let status: RelayStatus = 'closed';
  let joined = false;
  let stopped = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let members = new Set<PeerId>();
  /** What the tab wants (setActive); the relay assumes a joiner is active. */
  let wantsPeers = true;
  /** What this connection's relay was last told; undefined when it cannot be told (older relay, not joined). */
  let toldActive: boolean | undefined;

  /** Tells the relay when the wish changed; only relays that list the feature in their welcome are told. */
  function flushActivity(): void {
    if (!joined || socket === undefined || toldActive === undefined || toldActive === wantsPeers) return;
    if (send(socket, { type: wantsPeers ? 'active' : 'idle' })) toldActive = wantsPeers;
  }

  function remember(peerId: PeerId): boolean {
    if (members.has(peerId)) return false;
    if (members.size >= MAX_REMEMBERED_MEMBERS) members = new Set();
    members.add(peerId);
    return true;
  }

  function setStatus(next: RelayStatus): void {
    if (next === status) return;
    status = next;
    events.emit('status', next);
  }

  function connect(): void {
    if (stopped) return;
    setStatus('connecting');
    joined = false;
    toldActive = undefined;
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
        send(ws, { type: 'join', network: init.network, peerId: init.signer.peerId, signature: toHex(signature), identityStamp: init.signer.identityStamp });
        return;
      }
      case 'welcome': {
        joined = true;
        backoff.reset();
        toldActive = message.features?.includes(RELAY_FEATURE_ACTIVITY) ? true : undefined;
        setStatus('open');
        const listed = message.peers.map((id, i) => ({ id, group: message.groups?.[i] ?? undefined })).filter(({ id }) => id !== init.signer.peerId);
        const peers = listed.map(({ id }) => id);
        members = new Set(peers);
        events.emit('welcome', peers, message.groups ? listed.map(({ group }) => group) : undefined);
        flushActivity();
        return;
      }
      case 'peer-joined':
        if (message.peerId !== init.signer.peerId && remember(message.peerId)) events.emit('peer-joined', message.peerId, message.group);
        return;
      case 'peer-left':
        if (message.peerId === init.signer.peerId) return;
        members.delete(message.peerId);
        events.emit('peer-left', message.peerId);
        return;
      case 'signal':
        if (message.from !== init.signer.peerId && remember(message.from)) events.emit('peer-joined', message.from, message.group);
        events.emit('signal', message.from, message.data, message.group);
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
    /**
     * Whether this tab wants more peers. Call it on each mesh tick (e.g. with
     * links < the mesh's target); the relay is told only when it changes, and
     * again after each reconnect. Idle tabs drop out of the relay's samples
     * but still receive signals.
     */
    setActive(next: boolean): void {
      wantsPeers = next;
      flushActivity();
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
