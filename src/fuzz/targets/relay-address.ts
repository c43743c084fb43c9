/**
 * The address a relay socket is limited under (signaling/relay-address-limits.ts
 * clientAddress, addressKey), read from X-Forwarded-For when proxies are
 * trusted: a header any client can write. Whatever it holds, the key is the
 * TCP peer's or a real IP's (IPv6 by its /64), so a client cannot mint fresh
 * keys to escape its per-address limits (docs/SECURITY.md, "The relay").
 */
import { isIP } from 'node:net';
import * as fc from 'fast-check';
import { addressKey, clientAddress } from '../../../signaling/relay-address-limits.ts';
import { invariant, outcome, type FuzzTarget } from '../fuzz-target.ts';
import { mutatedText } from '../mutate.ts';

const ip = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('::ffff:10.0.0.1', 'fe80::1%eth0', '::', '::1', '1::', '2001:db8::8:800:200c:417a'));
const entry = fc.oneof({ arbitrary: ip, weight: 4 }, { arbitrary: mutatedText(ip), weight: 2 }, { arbitrary: fc.string({ maxLength: 20 }), weight: 1 });
const header = fc.array(entry, { maxLength: 5 }).map((entries) => entries.join(', '));

interface AddressInput {
  header: string | string[] | undefined;
  remote: string | undefined;
  hops: number;
}

/** An address key: an IPv4, an IPv6 /64 prefix, or the socket's own address unchanged (which Node gives as an IP). */
const KEY = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){3}::\/64)$/;

export const relayAddressTarget: FuzzTarget<AddressInput> = {
  name: 'relay-address',
  decoders: ['signaling/relay-address-limits.ts clientAddress (X-Forwarded-For), addressKey'],
  arbitrary: fc.record({
    header: fc.oneof(header, fc.array(header, { maxLength: 3 }), fc.constant(undefined)),
    remote: fc.oneof(ip, fc.constant(undefined)),
    hops: fc.integer({ min: 0, max: 3 }),
  }),
  check: ({ header: forwarded, remote, hops }) => {
    const key = clientAddress({ headers: { 'x-forwarded-for': forwarded }, socket: { remoteAddress: remote } } as never, hops);
    const own = addressKey(remote ?? 'unknown');
    invariant(key === own || KEY.test(key), `clientAddress gave the key ${JSON.stringify(key.slice(0, 80))}`);
    invariant(hops > 0 || key === own, 'clientAddress read X-Forwarded-For with no trusted proxy');
    // Every key that is not the socket's own came from an entry that is an IP.
    if (key !== own) invariant(isIP(key.replace('::/64', '::')) !== 0, `clientAddress keyed a non-IP: ${key}`);
    return outcome(key !== own);
  },
};
