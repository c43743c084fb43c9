import { describe, expect, it } from 'vitest';
import { Emitter } from '../core/emitter.ts';
import type { PeerId } from '../core/types.ts';
import { createRelaySet, type RelaySetMember } from './relay-set.ts';
import type { RelayStatus, SignalingEvents } from './signaling-client.ts';

const quiet = { info: () => undefined, warn: () => undefined };

/** A relay client stand-in driven by the test: it reports what the test says and records what it is asked to send. */
function fakeMember(startStatus: RelayStatus = 'connecting') {
  const events = new Emitter<SignalingEvents>();
  const sent: { to: PeerId; data: string }[] = [];
  let status: RelayStatus = 'closed';
  let accepts = true;
  const set = (next: RelayStatus) => {
    status = next;
    events.emit('status', next);
  };
  const member: RelaySetMember = {
    events,
    status: () => status,
    sendSignal(to, data) {
      if (status !== 'open' || !accepts) return false;
      sent.push({ to, data });
      return true;
    },
    start: () => set(startStatus),
    stop: () => set('closed'),
  };
  return {
    member, events, sent,
    open(peers: PeerId[]) {
      set('open');
      events.emit('welcome', peers);
    },
    set,
    refuse: () => (accepts = false),
  };
}

function setOf(members: Record<string, ReturnType<typeof fakeMember>>, meshReaches?: (to: PeerId) => boolean) {
  const relays = createRelaySet({ create: (url) => members[url]!.member, log: quiet, ...(meshReaches ? { meshReaches } : {}) }, Object.keys(members).filter((url) => !url.startsWith('local')));
  const seen: string[] = [];
  relays.events.on('peer-joined', (id) => seen.push(`+${id}`));
  relays.events.on('peer-left', (id) => seen.push(`-${id}`));
  relays.events.on('welcome', (ids) => seen.push(`welcome ${ids.join(',')}`));
  relays.events.on('status', (status) => seen.push(`status ${status}`));
  return { relays, seen };
}

describe('relay set', () => {
  it('merges rooms: a peer leaves only when no relay lists it', () => {
    const a = fakeMember();
    const b = fakeMember();
    const { relays, seen } = setOf({ a, b });
    relays.start();
    a.open(['p1', 'p2']);
    b.open(['p2', 'p3']);
    expect(seen).toEqual(['status connecting', 'status open', 'welcome p1,p2', 'welcome p2,p3']);
    seen.length = 0;
    a.events.emit('peer-joined', 'p3'); // already listed by b: no news
    a.events.emit('peer-left', 'p2'); // b still lists it
    b.events.emit('peer-left', 'p2');
    expect(seen).toEqual(['-p2']);
  });

  it('a relay that closes forgets its room; the set stays open while another is', () => {
    const a = fakeMember();
    const b = fakeMember();
    const { relays, seen } = setOf({ a, b });
    relays.start();
    a.open(['p1', 'shared']);
    b.open(['shared']);
    seen.length = 0;
    a.set('closed');
    expect(seen).toEqual(['-p1']);
    expect(relays.status()).toBe('open');
    b.set('closed');
    expect(seen).toEqual(['-p1', '-shared', 'status closed']);
    expect(relays.states()).toEqual([{ url: 'a', status: 'closed', local: false }, { url: 'b', status: 'closed', local: false }]);
  });

  it('a new welcome from a relay drops the members it no longer lists', () => {
    const a = fakeMember();
    const { relays, seen } = setOf({ a });
    relays.start();
    a.open(['p1', 'p2']);
    seen.length = 0;
    a.events.emit('welcome', ['p2']);
    expect(seen).toEqual(['-p1', 'welcome p2']);
  });

  it('sends through a relay that lists the peer, else through any open relay when nobody lists it', () => {
    const a = fakeMember();
    const b = fakeMember();
    const { relays } = setOf({ a, b });
    relays.start();
    a.open(['p1']);
    b.open(['p2']);
    expect(relays.sendSignal('p2', 'x')).toBe(true);
    expect(b.sent).toEqual([{ to: 'p2', data: 'x' }]);
    expect(a.sent).toEqual([]);
    expect(relays.sendSignal('unlisted', 'y')).toBe(true);
    expect(a.sent).toEqual([{ to: 'unlisted', data: 'y' }]);
    b.set('closed');
    expect(relays.sendSignal('p2', 'z'), 'p2 is listed by nobody now; a still takes it').toBe(true);
    expect(a.sent.at(-1)).toEqual({ to: 'p2', data: 'z' });
    a.refuse();
    expect(relays.sendSignal('p1', 'w')).toBe(false);
  });

  it('a local member carries a signal only when no relay lists the peer and the mesh has no route', () => {
    const a = fakeMember();
    const local = fakeMember('open');
    const routes = new Set<PeerId>();
    const { relays } = setOf({ a, local }, (to) => routes.has(to));
    relays.add('local', { member: local.member, local: true });
    relays.start();
    expect(local.member.status(), 'the local member waits for the relays to answer').toBe('closed');
    a.open(['both']);
    expect(local.member.status()).toBe('open');
    local.events.emit('welcome', ['both', 'tab']);
    expect(relays.sendSignal('both', '1')).toBe(true);
    expect(a.sent.map((s) => s.data)).toEqual(['1']);
    routes.add('tab');
    expect(relays.sendSignal('tab', '2'), 'the mesh has a route: the set declines').toBe(false);
    let linkedPage = false;
    local.member.linkedBefore = () => linkedPage;
    expect(relays.sendSignal('tab', '2b'), 'a route to a page we never linked with (a reloaded tab) is not trusted').toBe(true);
    expect(local.sent.map((s) => s.data)).toEqual(['2b']);
    linkedPage = true;
    expect(relays.sendSignal('tab', '2c')).toBe(false);
    routes.delete('tab');
    expect(relays.sendSignal('tab', '3')).toBe(true);
    expect(local.sent.map((s) => s.data)).toEqual(['2b', '3']);
    expect(a.sent.map((s) => s.data), 'a relay that does not list the peer is not used').toEqual(['1']);
    expect(relays.relayStatus()).toBe('open');
    a.set('closed');
    expect(relays.status()).toBe('open');
    expect(relays.relayStatus()).toBe('closed');
  });

  it('adds and removes relays at run time', () => {
    const a = fakeMember();
    const b = fakeMember();
    const { relays, seen } = setOf({ a, b: b });
    expect(relays.remove('b')).toBe(true);
    relays.start();
    a.open(['p1']);
    expect(b.member.status(), 'a removed relay is not started').toBe('closed');
    expect(relays.add('a')).toBe(false);
    expect(relays.add('b')).toBe(true);
    expect(b.member.status(), 'a relay added to a started set starts').toBe('connecting');
    b.open(['p1', 'p2']);
    seen.length = 0;
    expect(relays.remove('b')).toBe(true);
    expect(seen, 'p1 is still listed by a').toEqual(['-p2']);
    expect(b.member.status()).toBe('closed');
    expect(relays.remove('b')).toBe(false);
    expect(relays.states().map((state) => state.url)).toEqual(['a']);
  });

  it('passes the wish for more peers to every member that takes it, and to later ones', () => {
    const a = fakeMember();
    const told: string[] = [];
    const b = fakeMember();
    const { relays } = setOf({ a });
    a.member.setActive = (wants) => told.push(`a:${wants}`);
    b.member.setActive = (wants) => told.push(`b:${wants}`);
    relays.setActive(false);
    relays.add('b', { member: b.member });
    relays.setActive(true);
    expect(told).toEqual(['a:false', 'b:false', 'a:true', 'b:true']);
  });
});
