/**
 * The relay attests each member's network group (docs/PROTOCOL.md, "Relay"):
 * welcomes list a group (or null) per member, and announcements and forwarded
 * signals carry the sender's, so tabs apply their per-group link limits
 * before a link forms. Client addresses come from a trusted X-Forwarded-For.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { attestedGroupOf } from './relay-address-limits.ts';
import { createRelayHarness } from '../test/helpers/relay-test-client.ts';

const harness = createRelayHarness();
afterEach(() => harness.cleanup());

const asClient = (ip: string) => ({ headers: { 'X-Forwarded-For': ip } });

describe('attested network groups', () => {
  it('lists each member\'s group in a welcome, and the sender\'s on announcements and signals, never the address', async () => {
    const { url } = await harness.start({ trustProxyHops: 1 });
    const first = await harness.join(url, 'main', undefined, asClient('198.51.7.9'));
    const second = await harness.join(url, 'main', undefined, asClient('192.168.1.4')); // a private address: no group
    expect(second.welcome.peers).toEqual([first.id.peerId]);
    expect(second.welcome.groups).toEqual(['ip4:198.51']);
    const announced = await first.client.expect('peer-joined');
    expect(announced).toEqual({ type: 'peer-joined', peerId: second.id.peerId });
    const third = await harness.join(url, 'main', undefined, asClient('2001:db8:aa:1::5'));
    expect(new Map(third.welcome.peers.map((id, i) => [id, third.welcome.groups![i]]))).toEqual(new Map([[first.id.peerId, 'ip4:198.51'], [second.id.peerId, null]]));
    third.client.signal(first.id.peerId, 'offer');
    const forwarded = await first.client.next();
    const signal = forwarded.type === 'peer-joined' ? await first.client.expect('signal') : forwarded;
    expect(signal).toEqual({ type: 'signal', from: third.id.peerId, data: 'offer', group: 'ip6:2001:db8' });
    expect(JSON.stringify(signal)).not.toContain('2001:db8:aa');
  });

  it('groups an address key as links do: /16 of IPv4, /32 of IPv6 (from its /64 key), none for loopback or LAN', () => {
    expect(attestedGroupOf('203.0.113.9')).toBe('ip4:203.0');
    expect(attestedGroupOf('2001:db8:aa:1::/64')).toBe('ip6:2001:db8');
    expect(attestedGroupOf('127.0.0.1')).toBeUndefined();
    expect(attestedGroupOf('10.1.2.3')).toBeUndefined();
    expect(attestedGroupOf(undefined)).toBeUndefined();
  });
});
