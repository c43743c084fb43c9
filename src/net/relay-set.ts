/**
 * Several signaling relays as one (issue 19 §3; docs/ARCHITECTURE.md, "When
 * the relay is gone"). The set has the shape the peer assembly takes for its
 * relay (peer/mesh-peer.ts RelayTransport), so a peer joins every relay, and
 * the same-browser BroadcastChannel (broadcast-signaling.ts), through one seam:
 *
 * - Membership is kept per member. A welcome or a join from any member adds
 *   the peer; a peer leaves only when no open member lists it any more. A
 *   member that closes (or reconnects) forgets its room at once, so the
 *   assembly stops routing through it and falls back to the mesh.
 * - `status()` is 'open' while any member is open.
 * - `sendSignal(to)` goes through an open relay that lists `to`; when none
 *   does, a local member (BroadcastChannel) is used unless the mesh has a
 *   route to `to` and we had a link with `to`'s current page: a post on the
 *   channel reaches every tab of the browser, while a mesh-forwarded signal
 *   goes to one neighbour; but a reloaded tab keeps its id, and the records
 *   that route to it still list its old page's links. A peer nobody lists
 *   goes through any open relay (the relay answers if it is not there).
 * - Local members start once every relay has answered (opened or failed),
 *   or after `localStartMaxWaitMs`: a peer both can reach is then introduced
 *   by the relay, and a relay that is down delays the channel only as long
 *   as its refusal takes.
 * - Members can be added and removed at run time.
 */
import { Emitter } from '../core/emitter.ts';
import type { Logger, PeerId } from '../core/types.ts';
import type { RelayStatus, SignalingEvents } from './signaling-client.ts';

/** What the set needs of a member: the relay client's shape (signaling-client.ts) or the BroadcastChannel's. */
export interface RelaySetMember {
  status(): RelayStatus;
  sendSignal(to: PeerId, data: string): boolean;
  events: Pick<Emitter<SignalingEvents>, 'on'>;
  start(): void;
  stop(): void;
  /** Whether this tab wants more peers, for relays that sample their rooms (signaling-client.ts); optional. */
  setActive?(wantsPeers: boolean): void;
  /** A local member: true when we had a link with `to`'s current page, so a mesh route to it can be trusted. */
  linkedBefore?(to: PeerId): boolean;
}

export interface RelaySetComponents {
  /** Makes the client for a relay URL (createSignalingClient in a tab). */
  create(url: string): RelaySetMember;
  log: Logger;
  /** True when the mesh can carry a signal to `to` (peers.canRoute): then a local member is not used. */
  meshReaches?(to: PeerId): boolean;
}

/** The longest local members wait for the relays' first answer (a relay that neither opens nor fails). */
export const DEFAULT_LOCAL_START_MAX_WAIT_MS = 2_000;

export interface RelayMemberState {
  url: string;
  status: RelayStatus;
  /** True for a same-browser channel rather than a relay server. */
  local: boolean;
}

export interface AddRelayOptions {
  /** A ready-made member (the BroadcastChannel); default components.create(url). */
  member?: RelaySetMember;
  /** A same-browser fan-out channel: used after relays and the mesh. */
  local?: boolean;
}

export interface RelaySet {
  readonly events: Emitter<SignalingEvents>;
  status(): RelayStatus;
  /** The status over relay servers only (local members left out): what the page calls "the relay". */
  relayStatus(): RelayStatus;
  sendSignal(to: PeerId, data: string): boolean;
  start(): void;
  stop(): void;
  /** Passes the wish for more peers to every member that takes it (and to members added later). */
  setActive(wantsPeers: boolean): void;
  /** Adds and (when the set is started) starts a member; false when `url` is already a member. */
  add(url: string, options?: AddRelayOptions): boolean;
  /** Stops and removes a member; its peers leave unless another member lists them. False when unknown. */
  remove(url: string): boolean;
  /** Each member's state, in the order added. */
  states(): RelayMemberState[];
  /** Calls `handler` whenever a member's status changes or a member is added or removed. */
  onStates(handler: () => void): () => void;
}

interface Entry {
  url: string;
  member: RelaySetMember;
  local: boolean;
  /** The peers this member lists now (empty while it is not open). */
  room: Set<PeerId>;
  unsubscribe: () => void;
}

/** Folds statuses: open if any is open, else connecting if any is connecting, else closed. */
function combined(statuses: RelayStatus[]): RelayStatus {
  if (statuses.includes('open')) return 'open';
  return statuses.includes('connecting') ? 'connecting' : 'closed';
}

/** Builds a set over `urls` (and later additions); nothing connects until start(). */
export function createRelaySet(components: RelaySetComponents, urls: readonly string[] = [], localStartMaxWaitMs = DEFAULT_LOCAL_START_MAX_WAIT_MS): RelaySet {
  const events = new Emitter<SignalingEvents>();
  const changes = new Emitter<{ changed: [] }>();
  const entries = new Map<string, Entry>();
  let started = false;
  let localsStarted = false;
  let localTimer: ReturnType<typeof setTimeout> | undefined;
  let lastStatus: RelayStatus = 'closed';
  let wantsPeers: boolean | undefined;

  function startLocals(): void {
    if (!started || localsStarted) return;
    localsStarted = true;
    clearTimeout(localTimer);
    for (const entry of entries.values()) if (entry.local) entry.member.start();
  }
  const relaysSettled = () => [...entries.values()].every((entry) => entry.local || entry.member.status() !== 'connecting');

  const listedElsewhere = (id: PeerId, except: Entry) => [...entries.values()].some((entry) => entry !== except && entry.room.has(id));

  /** Drops `ids` from `entry`'s room; those no other member lists leave. */
  function forget(entry: Entry, ids: Iterable<PeerId>): void {
    for (const id of [...ids]) {
      if (!entry.room.delete(id)) continue;
      if (!listedElsewhere(id, entry)) events.emit('peer-left', id);
    }
  }

  function statusChanged(): void {
    const next = combined([...entries.values()].map((entry) => entry.member.status()));
    if (next !== lastStatus) {
      lastStatus = next;
      events.emit('status', next);
    }
    if (relaysSettled()) startLocals();
    changes.emit('changed');
  }

  function attach(entry: Entry): () => void {
    const { member } = entry;
    const offs = [
      member.events.on('status', (status) => {
        // A member that is not open can deliver nothing: its room is stale until its next welcome.
        if (status !== 'open') forget(entry, entry.room);
        statusChanged();
      }),
      member.events.on('welcome', (peers) => {
        const fresh = new Set(peers);
        forget(entry, [...entry.room].filter((id) => !fresh.has(id)));
        for (const id of fresh) entry.room.add(id);
        events.emit('welcome', peers);
      }),
      member.events.on('peer-joined', (id) => {
        const known = entry.room.has(id) || listedElsewhere(id, entry);
        entry.room.add(id);
        if (!known) events.emit('peer-joined', id);
      }),
      member.events.on('peer-left', (id) => forget(entry, [id])),
      member.events.on('signal', (from, data) => events.emit('signal', from, data)),
    ];
    return () => offs.forEach((off) => off());
  }

  function add(url: string, options: AddRelayOptions = {}): boolean {
    if (entries.has(url)) return false;
    const member = options.member ?? components.create(url);
    const entry: Entry = { url, member, local: options.local === true, room: new Set(), unsubscribe: () => undefined };
    entry.unsubscribe = attach(entry);
    entries.set(url, entry);
    if (wantsPeers !== undefined) member.setActive?.(wantsPeers);
    if (started && (!entry.local || localsStarted)) member.start();
    statusChanged();
    return true;
  }

  function trySend(candidates: Entry[], to: PeerId, data: string): boolean {
    return candidates.some((entry) => entry.member.sendSignal(to, data));
  }

  for (const url of urls) add(url);

  return {
    events,
    status: () => combined([...entries.values()].map((entry) => entry.member.status())),
    relayStatus: () => combined([...entries.values()].filter((entry) => !entry.local).map((entry) => entry.member.status())),
    sendSignal(to, data) {
      const all = [...entries.values()];
      const open = all.filter((entry) => entry.member.status() === 'open');
      const relays = open.filter((entry) => !entry.local);
      if (trySend(relays.filter((entry) => entry.room.has(to)), to, data)) return true;
      const locals = open.filter((entry) => entry.local && entry.room.has(to));
      if (locals.length > 0) {
        const meshTrusted = components.meshReaches?.(to) === true && locals.every((entry) => entry.member.linkedBefore?.(to) ?? true);
        return !meshTrusted && trySend(locals, to, data);
      }
      // Nobody lists `to` (a join not yet reported): a relay either delivers it or answers that the peer is gone.
      return !all.some((entry) => entry.room.has(to)) && trySend(relays, to, data);
    },
    start() {
      if (started) return;
      started = true;
      for (const entry of entries.values()) if (!entry.local) entry.member.start();
      if (relaysSettled()) startLocals();
      else localTimer = setTimeout(startLocals, localStartMaxWaitMs);
    },
    stop() {
      started = false;
      localsStarted = false;
      clearTimeout(localTimer);
      for (const entry of entries.values()) entry.member.stop();
    },
    setActive(next) {
      wantsPeers = next;
      for (const entry of entries.values()) entry.member.setActive?.(next);
    },
    add,
    remove(url) {
      const entry = entries.get(url);
      if (!entry) return false;
      entry.unsubscribe();
      entries.delete(url);
      entry.member.stop();
      // Deleted first, so listedElsewhere looks only at the members that remain.
      for (const id of entry.room) if (![...entries.values()].some((other) => other.room.has(id))) events.emit('peer-left', id);
      entry.room.clear();
      components.log.info('removed a relay', { url });
      statusChanged();
      return true;
    },
    states: () => [...entries.values()].map((entry) => ({ url: entry.url, status: entry.member.status(), local: entry.local })),
    onStates: (handler) => changes.on('changed', handler),
  };
}
