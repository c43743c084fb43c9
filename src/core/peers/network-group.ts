/**
 * A link's network group (docs/SECURITY.md, "Network groups"), after Bitcoin
 * Core's netgroup: the part of the far end's address that costs an attacker
 * address space rather than a key. An identity costs its stamp's hashes; a
 * /16 of IPv4 or a /32 of IPv6 costs an attacker hosts in that many networks.
 * The mesh keeps at most one outbound and one inbound link per group, and the
 * peer book files records by the group of the link that brought them, so a
 * few hosts holding thousands of stamped identities count as a few.
 *
 * Addresses that say nothing about who is behind them have no group:
 * loopback, private, link-local and unique-local ranges, mDNS names
 * (`*.local`, what Chromium shows for host candidates) and, decided by the
 * transport, TURN relays (every user of a TURN server shares its address).
 * Links without a group are limited only by the mesh's own marks, as before.
 */

/** `ip4:a.b` (the /16) or `ip6:xxxx:xxxx` (the /32); undefined for an address without a group (see above) or one not parsed. */
export function networkGroupOf(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const trimmed = address.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (trimmed.endsWith('.local')) return undefined;
  const v4 = parseIpv4(trimmed.startsWith('::ffff:') ? trimmed.slice(7) : trimmed);
  if (v4) return isUngroupedIpv4(v4) ? undefined : `ip4:${v4[0]}.${v4[1]}`;
  const v6 = parseIpv6(trimmed);
  if (!v6) return undefined;
  if (isUngroupedIpv6(v6)) return undefined;
  return `ip6:${v6[0]!.toString(16)}:${v6[1]!.toString(16)}`;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((byte) => byte <= 255) ? bytes : undefined;
}

function isUngroupedIpv4([a, b]: number[]): boolean {
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168) || a! >= 224;
}

/** Eight 16-bit words, or undefined. Accepts `::` compression; an embedded IPv4 tail is not needed here. */
function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9a-f:]+$/.test(text) || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words = (half: string) => (half === '' ? [] : half.split(':'));
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((word) => /^[0-9a-f]{1,4}$/.test(word))) return undefined;
  return all.map((word) => parseInt(word, 16));
}

function isUngroupedIpv6(words: number[]): boolean {
  const [first] = words;
  const unspecifiedOrLoopback = words.slice(0, 7).every((word) => word === 0) && words[7]! <= 1;
  return unspecifiedOrLoopback || (first! & 0xfe00) === 0xfc00 || (first! & 0xffc0) === 0xfe80 || (first! & 0xff00) === 0xff00;
}
