/**
 * Addresses: the form of an account (a 32-byte Ed25519 public key) that
 * people copy, paste and type (docs/PROTOCOL.md, "Addresses").
 *
 * An address is bech32m (BIP 350) with the human-readable prefix `tm`:
 * `tm1` followed by 52 data characters and a 6-character checksum, 61
 * characters in all. The checksum is a BCH code that detects any error in up
 * to 4 characters, so a mistyped or swapped character is refused before
 * anything is signed. The 64-hex form (no checksum) stays accepted for
 * scripts. Addresses are a presentation form only: the wire, the signature
 * and storage keep the 32 raw bytes.
 *
 * One prefix for every network: networks are named freely (?net=NAME), and a
 * transaction is already bound to its network by its signature (tx.ts).
 */
import { bech32m } from '@scure/base';
import { fromHex, isHexOfLength, toHex } from './bytes.ts';
import { InvalidArgumentError } from './result.ts';
import type { PeerId } from './types.ts';

/** The human-readable part of every tabmesh address. */
export const ADDRESS_PREFIX = 'tm';
/** bech32's 32 data characters (BIP 173): no 1, b, i or o, which are easy to misread. */
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
/** 32 bytes are 52 five-bit characters (the last one padded with 4 zero bits). */
const DATA_CHARS = 52;
const CHECKSUM_CHARS = 6;
/** `tm` + `1` + data + checksum. */
export const ADDRESS_CHARS = ADDRESS_PREFIX.length + 1 + DATA_CHARS + CHECKSUM_CHARS;

/**
 * The burn account: the all-zero key is a point of small order, which
 * crypto/ed25519-rules.ts refuses as a public key, so no transaction from it
 * is ever valid and whatever it receives is gone for good. A wallet's cancel
 * sends its smallest amount here (peer/wallet.ts).
 */
export const BURN_ACCOUNT: PeerId = '00'.repeat(32);

export type AddressRejectReason = 'not-a-string' | 'empty' | 'mixed-case' | 'wrong-prefix' | 'bad-character' | 'wrong-length' | 'bad-checksum';

/** Why a text is not an account, with a message a person can act on. */
export interface AddressReject {
  ok: false;
  reason: AddressRejectReason;
  detail: string;
}

export type AccountParse = { ok: true; value: PeerId } | AddressReject;

function refuse(reason: AddressRejectReason, detail: string): AddressReject {
  return { ok: false, reason, detail };
}

/** The address of an account given as 64 hex characters (either case). */
export function encodeAddress(id: PeerId): string {
  const bytes = isHexOfLength(id.toLowerCase(), 32) ? fromHex(id.toLowerCase()) : undefined;
  if (!bytes) throw new InvalidArgumentError('id must be an account id (64 hex characters)');
  return bech32m.encode(ADDRESS_PREFIX, bech32m.toWords(bytes), ADDRESS_CHARS);
}

/**
 * Parses a `tm1…` address into the account's 64-hex id. Checks in the order a
 * person can fix them: case, prefix, characters, length, then the checksum.
 * Upper case is accepted whole (QR codes use it), never mixed.
 */
export function decodeAddress(text: string): AccountParse {
  const hasLower = text !== text.toUpperCase();
  const hasUpper = text !== text.toLowerCase();
  if (hasLower && hasUpper) return refuse('mixed-case', 'an address is all lower case or all upper case, never mixed');
  const lower = text.toLowerCase();
  const separator = lower.lastIndexOf('1');
  const prefix = separator < 0 ? lower.slice(0, ADDRESS_PREFIX.length) : lower.slice(0, separator);
  if (separator < 0 || prefix !== ADDRESS_PREFIX) {
    return refuse('wrong-prefix', `an address starts with "${ADDRESS_PREFIX}1"; this starts with "${lower.slice(0, ADDRESS_PREFIX.length + 1)}"`);
  }
  const data = lower.slice(separator + 1);
  for (let i = 0; i < data.length; i++) {
    if (!CHARSET.includes(data[i]!)) {
      return refuse('bad-character', `"${text[separator + 1 + i]}" (character ${separator + 2 + i}) cannot appear in an address: only ${CHARSET.split('').sort().join('')}`);
    }
  }
  if (lower.length !== ADDRESS_CHARS) return refuse('wrong-length', `an address has ${ADDRESS_CHARS} characters; this has ${lower.length}`);
  const decoded = bech32m.decodeUnsafe(lower, ADDRESS_CHARS);
  if (!decoded) return refuse('bad-checksum', 'the checksum does not match: a character is wrong or two are swapped');
  // A valid checksum over nonzero padding bits: only a crafted address has one (each id has one encoding).
  const bytes = bech32m.fromWordsUnsafe(decoded.words);
  if (!bytes || bytes.length !== 32) return refuse('wrong-length', 'the address does not hold a 32-byte account id');
  return { ok: true, value: toHex(bytes) };
}

/**
 * An account as a person or a script gives it: a `tm1…` address, or the
 * 64-hex id (no checksum; either case). Surrounding spaces are ignored.
 * Returns the 64 lower-case hex id, or why the text is not an account.
 */
export function parseAccount(input: unknown): AccountParse {
  if (typeof input !== 'string') return refuse('not-a-string', `an account is a ${ADDRESS_PREFIX}1… address or 64 hex characters, got ${typeof input}`);
  const text = input.trim();
  if (text === '') return refuse('empty', 'no address given');
  if (isHexOfLength(text.toLowerCase(), 32)) return { ok: true, value: text.toLowerCase() };
  if (/^[0-9a-f]+$/i.test(text)) return refuse('wrong-length', `a hex account id has 64 characters; this has ${text.length}`);
  // 64 characters of mostly hex: a hex id with a typo or a stray character, not an address.
  if (text.length === 64 && !text.toLowerCase().startsWith(`${ADDRESS_PREFIX}1`)) {
    return refuse('bad-character', 'a 64-character account id uses only the hex digits 0-9 and a-f');
  }
  return decodeAddress(text);
}

/** Like parseAccount, but throws InvalidArgumentError naming `field`: for API edges. */
export function accountArgument(input: unknown, field: string): PeerId {
  const parsed = parseAccount(input);
  if (!parsed.ok) throw new InvalidArgumentError(`${field} must be a tm1… address or 64 hex characters: ${parsed.detail}`);
  return parsed.value;
}
