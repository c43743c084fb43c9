/**
 * The one Ed25519 verification rule every tabmesh peer applies.
 *
 * A transaction valid on one peer must be valid on all of them, or the ledger
 * forks. Peers verify with different code (WebCrypto in most browsers, noble as
 * the fallback), and Ed25519 implementations famously disagree on edge cases
 * (Chalkias et al., "Taming the many EdDSAs", 2020). So the rule is pinned here
 * and checked *before* either backend runs, leaving each backend only the part
 * on which all correct implementations agree:
 *
 * 1. Lengths: public key 32 bytes, signature 64 bytes.
 * 2. S is canonical, 0 <= S < L (RFC 8032 5.1.7 step 1): no malleable signatures.
 * 3. The public key A is a canonical point encoding (y < p, and not x = 0 with
 *    the sign bit set; RFC 8032 5.1.3) and is not of small order.
 * 4. R is not one of the eight small-order points.
 * 5. The cofactorless equation [S]B = R + [k]A, checked by encoding [S]B - [k]A
 *    and comparing bytes with R (RFC 8032 5.1.7 allows it; it is what
 *    BoringSSL, OpenSSL and the WebCrypto Secure Curves draft use). A
 *    non-canonical R can never equal a fresh encoding, so it fails here.
 *
 * Steps 3 and 4 are what the WebCrypto Secure Curves draft asks for ("If the
 * key data ... or the point R ... represents an invalid point or a small-order
 * element, return false"), but browsers do not all do it: Chromium 156's
 * WebCrypto (checked on this machine) accepts a signature whose R is the
 * identity and signatures under small-order public keys, while rejecting
 * non-canonical keys and S >= L, and is cofactorless. So steps 1-4 run here,
 * before WebCrypto, and its answers then match noble's on every case in
 * ed25519-edge.test.ts and on the 1,273 cases of the public suites
 * (ed25519-vectors.test.ts: Wycheproof, speccheck, ZIP 215, CCTV; the same
 * verdicts in Chromium's and Firefox's verify worker, e2e/ed25519-vectors.spec.ts).
 *
 * Noble's own `verify(..., {zip215: false})` is not used: it applies the
 * *cofactored* equation, so it accepts an R with a torsion component, and
 * some signatures under a key with a torsion component, that Chromium rejects
 * (checked) - a consensus split between WebCrypto peers and noble peers. The
 * noble backend runs the cofactorless equation on noble's point arithmetic.
 */
import { Point } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import type { VerifyItem } from '../core/types.ts';

export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
/** The prime order of the Ed25519 base point, RFC 8032 section 5.1. */
export const CURVE_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/**
 * Canonical encodings of the eight points of small order (the torsion
 * subgroup). The test suite checks each decodes to a distinct small-order point.
 */
export const SMALL_ORDER_ENCODINGS: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];
const SMALL_ORDER = SMALL_ORDER_ENCODINGS.map((hex) => Uint8Array.from(hex.match(/../g)!, (byte) => Number.parseInt(byte, 16)));

/** Little-endian bytes to an unsigned bigint (Ed25519 encodes scalars little-endian). */
export function bytesToNumberLE(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** L as 32 little-endian bytes, for comparing S without building a bigint. */
const CURVE_ORDER_LE = Uint8Array.from({ length: 32 }, (_, i) => Number((CURVE_ORDER >> BigInt(8 * i)) & 0xffn));

/**
 * True when a 64-byte signature's S half is below the group order L. Compared
 * byte by byte from the most significant end: it runs on every signature, and
 * building the bigint cost ~5 µs per item in the verify worker's profile.
 */
export function hasCanonicalS(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i]!;
    const l = CURVE_ORDER_LE[i]!;
    if (s !== l) return s < l;
  }
  return false; // S = L exactly
}

/** True when a 32-byte encoding is one of the eight small-order points. */
export function isSmallOrderEncoding(encoding: Uint8Array): boolean {
  return SMALL_ORDER.some((point) => sameBytes(point, encoding));
}

/**
 * Rules 1, 2 and 4: cheap byte checks that need no point decoding, so they run
 * on every signature before any backend.
 */
export function passesSignatureChecks(item: VerifyItem): boolean {
  if (!(item.publicKey instanceof Uint8Array) || !(item.signature instanceof Uint8Array) || !(item.message instanceof Uint8Array)) return false;
  if (item.publicKey.length !== PUBLIC_KEY_BYTES || item.signature.length !== SIGNATURE_BYTES) return false;
  if (!hasCanonicalS(item.signature)) return false;
  return !isSmallOrderEncoding(item.signature.subarray(0, 32));
}

/**
 * Rule 3: decodes a public key strictly, returning undefined when it is not a
 * canonical encoding of a point or is of small order. Costs a square root
 * (about 27 µs in noble), so callers cache the answer per key.
 */
export function decodePublicKey(publicKey: Uint8Array): Point | undefined {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return undefined;
  let point: Point;
  try {
    // Strict decoding (zip215 = false) rejects y >= p (RangeError) and a
    // non-square or "negative zero" x (Error).
    point = Point.fromBytes(publicKey, false);
  } catch (error) {
    // Type and length were checked above, so an Error here means "not a
    // canonical point", which is an answer (false), not a failure.
    if (error instanceof Error) return undefined;
    throw error;
  }
  return point.isSmallOrder() ? undefined : point;
}

/**
 * Rule 5 on noble's point arithmetic: [S]B - [k]A, encoded, equals R.
 * Assumes passesSignatureChecks(item) and a point from decodePublicKey.
 */
export function verifyCofactorless(item: VerifyItem, publicKeyPoint: Point): boolean {
  const r = item.signature.subarray(0, 32);
  const s = bytesToNumberLE(item.signature.subarray(32, 64));
  // k = SHA-512(R || A || M) mod L, RFC 8032 5.1.7 step 2 (no dom2 prefix for pure Ed25519).
  const digest = sha512.create().update(r).update(item.publicKey).update(item.message).digest();
  const k = bytesToNumberLE(digest) % CURVE_ORDER;
  // multiply(n, false) is noble's variable-time path: fine for verification,
  // where every input is public.
  const check = Point.BASE.multiply(s, false).subtract(publicKeyPoint.multiply(k, false));
  return sameBytes(check.toBytes(), r);
}
