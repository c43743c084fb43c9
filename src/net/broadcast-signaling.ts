/**
 * Signaling between tabs of one browser and origin, with no server at all
 * (issue 19 §6; docs/PROTOCOL.md, "Same-browser signaling"). It has the relay
 * client's shape (signaling-client.ts), so it joins a relay set
 * (relay-set.ts) as one more member:
 *
 * - presence: `hello` on start (present tabs answer `here`), `here` every
 *   heartbeat, `bye` on stop; a tab not heard from for `expiryMs` is gone
 *   (a crashed tab sends no bye).
 * - signals: the same sealed, signed envelopes as through the relay,
 *   addressed by peer id. The dialer verifies them (docs/SECURITY.md), so the
 *   channel needs no authentication of its own; a lying tab can only make us
 *   try a dial that fails.
 *
 * Every message is parsed with limits (broadcast-signaling-messages.ts).
 */
import { Emitter } from '../core/emitter.ts';
import type { Logger, PeerId } from '../core/types.ts';
import { CHANNEL_VERSION, MAX_INSTANCE, channelName, parseChannelMessage, type ChannelMessage, type ChannelReject } from './broadcast-signaling-messages.ts';
import type { RelayStatus, SignalingEvents } from './signaling-client.ts';

/**
 * 5 s: presence costs one small post per tab per beat. Expiry is 6 beats
 * (30 s): a hidden tab's timers may run only once a second or, after five
 * hidden minutes, once a minute (Chromium's intensive throttling), yet it still
 * answers a newcomer's hello at once (message events are not throttled).
 */
export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_EXPIRY_MS = 30_000;
/**
 * Answers to our hello are gathered this long and handed over as one welcome
 * (the mesh dials at once on a welcome). Tabs answer within a few ms; a late
 * answer arrives as a join and is dialled on the next mesh tick.
 */
export const DEFAULT_WELCOME_WINDOW_MS = 100;
/** Present tabs tracked at most: the relay's room size (signaling/relay-server.ts maxRoomSize). */
export const MAX_PRESENT_PEERS = 256;

/** The part of a BroadcastChannel this uses (injected in tests). */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

export interface BroadcastSignalingInit {
  network: string;
  selfId: PeerId;
  log: Logger;
  /** Default: `new BroadcastChannel(name)`. */
  createChannel?: (name: string) => ChannelLike;
  heartbeatMs?: number;
  expiryMs?: number;
  welcomeWindowMs?: number;
  maxPeers?: number;
  nowMs?: () => number;
  /** Draws this channel's instance number on each start. Default Math.random. */
  random?: () => number;
}

export interface BroadcastSignaling {
  readonly events: Emitter<SignalingEvents>;
  /** 'open' from start() to stop(): a channel cannot be refused. */
  status(): RelayStatus;
  /** Posts a sealed envelope to `to`; false when `to` is not present or the channel is stopped. */
  sendSignal(to: PeerId, data: string): boolean;
  start(): void;
  stop(): void;
  /** The tabs present now. */
  present(): PeerId[];
  /** Notes that a link with `id` opened: a link with its current page (instance). */
  linked(id: PeerId): void;
  /**
   * True when we had a link with `id`'s current page. Only then may a mesh
   * route to it be trusted over the channel: a reloaded tab keeps its id, and
   * the peer records that route to it still list the links its old page had.
   */
  linkedBefore(id: PeerId): boolean;
  /**
   * True when `id`'s page said bye less than `expiryMs` ago and nothing has
   * been heard from that id since: its peer stopped, so no mesh route reaches
   * it (the peer records still list its old page's links) until its next page
   * says hello. See routeAroundDepartedPages.
   */
  departed(id: PeerId): boolean;
  /** Messages refused by reason, and presences refused when full. */
  stats(): Record<string, number>;
}

/**
 * A peer's signal sender that sends nothing through the mesh to a tab whose
 * page just left (`departed`): only a relay may still reach that id (its next
 * page may already have joined one). A tab whose neighbour reloads redials it
 * at once, before the new page is up; an offer sent into a dead mesh route
 * was "delivered", so the dial waited out its 20 s timeout, and when the
 * redialling tab had the lower id that lost offer also won the glare against
 * the new page's own offer, leaving the two without a link for 20 s (1 reload
 * in 4 with the server down, e2e/offline-shell.spec.ts). Refused, the offer is
 * given up at once (webrtc-dialer.ts) and the new page's offer is answered.
 */
export function routeAroundDepartedPages(
  channel: Pick<BroadcastSignaling, 'departed'>,
  relays: (to: PeerId, data: string) => boolean,
  anyRoute: (to: PeerId, data: string) => boolean,
): (to: PeerId, data: string) => boolean {
  return (to, data) => (channel.departed(to) ? relays(to, data) : anyRoute(to, data));
}

export function createBroadcastSignaling(init: BroadcastSignalingInit): BroadcastSignaling {
  const events = new Emitter<SignalingEvents>();
  const heartbeatMs = init.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const expiryMs = init.expiryMs ?? DEFAULT_EXPIRY_MS;
  const maxPeers = init.maxPeers ?? MAX_PRESENT_PEERS;
  const nowMs = init.nowMs ?? Date.now;
  const createChannel = init.createChannel ?? ((name: string) => new BroadcastChannel(name));
  const random = init.random ?? Math.random;
  /** Peer id → its page's instance and when we last heard from it. */
  const present = new Map<PeerId, { instance: number; seenMs: number }>();
  let instance = 0;
  /** Peer id → the instance of its page we had a link with (null: linked before its page was heard on the channel). */
  const linkedPages = new Map<PeerId, number | null>();
  /** Peer id → when its page said bye; removed when the id is heard again (see()). */
  const departedAt = new Map<PeerId, number>();
  const counters: Record<string, number> = { rejected: 0, presenceRefused: 0, signalsIn: 0, signalsOut: 0 };
  let channel: ChannelLike | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let welcomeTimer: ReturnType<typeof setTimeout> | undefined;

  function post(message: ChannelMessage): boolean {
    if (!channel) return false;
    try {
      channel.postMessage(message);
      return true;
    } catch (error) {
      // A closed channel or an uncloneable value: the signal is lost like a relay frame on a dropped socket.
      init.log.warn('could not post on the same-browser channel', { error: String(error) });
      return false;
    }
  }

  const self = (type: 'hello' | 'here' | 'bye'): ChannelMessage => ({ v: CHANNEL_VERSION, type, from: init.selfId, instance });

  /** Notes that `id` (the page `pageInstance`, the latest heard of) is present; a newly present id is announced. */
  function see(id: PeerId, pageInstance: number): void {
    departedAt.delete(id);
    if (linkedPages.get(id) === null) linkedPages.set(id, pageInstance);
    if (present.has(id)) return void present.set(id, { instance: pageInstance, seenMs: nowMs() });
    if (present.size >= maxPeers) {
      counters.presenceRefused!++;
      return;
    }
    present.set(id, { instance: pageInstance, seenMs: nowMs() });
    events.emit('peer-joined', id);
  }

  function refuse(reason: ChannelReject['reason']): void {
    counters.rejected!++;
    // 'too-large' → rejectedTooLarge: counters join the page's stats (start-peer.ts, sameBrowser…).
    const key = `rejected${reason.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase())}`;
    // One line per reason: a buggy tab posting garbage in a loop must not flood the page's log.
    if ((counters[key] = (counters[key] ?? 0) + 1) === 1) init.log.warn('ignored a malformed message on the same-browser channel', { reason });
  }

  function receive(data: unknown): void {
    const parsed = parseChannelMessage(data);
    if (!parsed.ok) return refuse(parsed.reason);
    const message = parsed.value;
    if (message.from === init.selfId) return; // a duplicated tab still holding our id; the page detects that itself
    switch (message.type) {
      case 'hello':
        // A page that says hello has just started, so a link we opened before hearing it (null: through a relay)
        // was with an earlier page of that id; the mesh route to it goes nowhere (a reloaded tab).
        if (linkedPages.get(message.from) === null) linkedPages.delete(message.from);
        see(message.from, message.instance);
        post(self('here'));
        return;
      case 'here':
        see(message.from, message.instance);
        return;
      case 'bye':
        // Only the page we know leaves: a reloaded tab's old page may say bye after its new page said hello.
        if (present.get(message.from)?.instance !== message.instance) return;
        present.delete(message.from);
        departedAt.delete(message.from); // re-inserted: the bound below forgets the oldest departure first
        departedAt.set(message.from, nowMs());
        // Bounded like presence (a Map iterates in insertion order).
        if (departedAt.size > maxPeers) departedAt.delete(departedAt.keys().next().value as PeerId);
        events.emit('peer-left', message.from);
        return;
      case 'signal':
        if (message.to !== init.selfId) return;
        counters.signalsIn!++;
        // A signal proves the sender is there (our answer must find its way back).
        see(message.from, message.instance);
        events.emit('signal', message.from, message.data);
        return;
    }
  }

  function beat(): void {
    post(self('here'));
    const cutoff = nowMs() - expiryMs;
    for (const [id, { seenMs }] of present) {
      if (seenMs >= cutoff) continue;
      present.delete(id);
      events.emit('peer-left', id);
    }
  }

  return {
    events,
    status: () => (channel ? 'open' : 'closed'),
    sendSignal(to, data) {
      if (!present.has(to)) return false;
      const sent = post({ v: CHANNEL_VERSION, type: 'signal', from: init.selfId, instance, to, data });
      if (sent) counters.signalsOut!++;
      return sent;
    },
    start() {
      if (channel) return;
      instance = Math.floor(random() * MAX_INSTANCE);
      channel = createChannel(channelName(init.network));
      channel.addEventListener('message', (event) => receive(event.data));
      events.emit('status', 'open');
      post(self('hello'));
      heartbeat = setInterval(beat, heartbeatMs);
      welcomeTimer = setTimeout(() => events.emit('welcome', [...present.keys()]), init.welcomeWindowMs ?? DEFAULT_WELCOME_WINDOW_MS);
    },
    stop() {
      if (!channel) return;
      post(self('bye'));
      channel.close();
      channel = undefined;
      clearInterval(heartbeat);
      clearTimeout(welcomeTimer);
      present.clear();
      departedAt.clear();
      events.emit('status', 'closed');
    },
    present: () => [...present.keys()],
    linked(id) {
      linkedPages.delete(id);
      linkedPages.set(id, present.get(id)?.instance ?? null);
      // Bounded like presence; the oldest entry goes first (a Map iterates in insertion order).
      if (linkedPages.size > 2 * maxPeers) linkedPages.delete(linkedPages.keys().next().value as PeerId);
    },
    linkedBefore(id) {
      const page = linkedPages.get(id);
      return page !== undefined && page !== null && present.get(id)?.instance === page;
    },
    departed(id) {
      const atMs = departedAt.get(id);
      // Only for a while: a tab that left the channel but not the mesh (tabmesh.removeRelay of the channel) says bye too.
      return atMs !== undefined && nowMs() - atMs < expiryMs;
    },
    stats: () => ({ ...counters }),
  };
}
