/**
 * Protocol versions, feature bits and negotiation (docs/PROTOCOL.md,
 * "Versioning"). Byte 0 of every frame is the *framing* version, fixed at 4
 * for good so that any build can parse any other build's HELLO; what a build
 * speaks is a range of *protocol* versions, carried in HELLO with its feature
 * bits. Two peers speak the highest version both know, as Bitcoin's
 * version/verack settles on min(ours, theirs); a peer whose range does not
 * meet ours is told why (GOODBYE) and closed, never banned: an old build is
 * not an attacker, and both link again once one of them reloads.
 */

/**
 * The protocol versions this build speaks.
 * - 4: HELLO carries the version range and feature bits; unknown optional frames are ignored (framing 4).
 * - 5: GOODBYE (0x40), the reason a peer is being closed. An optional frame, so a version-4 peer ignores it.
 * Versions 1–3 were framing versions, from before negotiation; their builds are closed by framing version.
 */
export const PROTOCOL_VERSION_MIN = 4;
export const PROTOCOL_VERSION_MAX = 5;

/**
 * Feature bits: optional services a node offers whatever its version, as Bitcoin's service bits. A node
 * sends a module's frames only to peers that set the module's bit (ProtocolModule.feature); bits a build
 * does not know are kept and ignored, so new ones need no version.
 */
export const Feature = {
  /** Answers and forwards TRACE_REQUEST and TRACE_REPORT (0x13–0x14; "Transaction trace"). Tabs run it; the Node full node does not. */
  txTrace: 1 << 0,
} as const;

/** What a HELLO says its sender speaks. */
export interface ProtocolRange {
  /** The oldest protocol version the sender still speaks. */
  min: number;
  /** The newest protocol version the sender speaks. */
  max: number;
  /** Feature bits (u32). */
  features: number;
}

/**
 * A framing-4 HELLO without the range: only a non-conforming client sends one (every build of framing 4
 * appends it). It is read as the first negotiating version, offering no features.
 */
export const RANGE_OF_BARE_HELLO: ProtocolRange = { min: PROTOCOL_VERSION_MIN, max: PROTOCOL_VERSION_MIN, features: 0 };

/** A session's agreement: the version both speak and the features the peer offers. */
export interface Negotiated {
  version: number;
  /** The peer's feature bits: what we may ask of it. */
  peerFeatures: number;
}

/** Why two ranges do not meet, from our side: the peer is below our minimum, or its minimum is above our maximum. */
export type IncompatibleReason = 'peer-too-old' | 'peer-too-new';

/**
 * The version a session speaks: min(our max, their max), if it is at least max(our min, their min).
 * Symmetric: both sides reach the same answer from the two HELLOs.
 */
export function negotiate(ours: ProtocolRange, theirs: ProtocolRange): { ok: true; value: Negotiated } | { ok: false; reason: IncompatibleReason; detail: string } {
  const version = Math.min(ours.max, theirs.max);
  if (version >= Math.max(ours.min, theirs.min)) return { ok: true, value: { version, peerFeatures: theirs.features } };
  const reason: IncompatibleReason = theirs.max < ours.min ? 'peer-too-old' : 'peer-too-new';
  return { ok: false, reason, detail: `peer speaks protocol ${describeRange(theirs)}, this build ${describeRange(ours)}` };
}

export const describeRange = (range: Pick<ProtocolRange, 'min' | 'max'>): string => (range.min === range.max ? `${range.min}` : `${range.min}–${range.max}`);

/** Checks a range given through NodeInit: whole versions, min ≤ max, features a u32. */
export function checkRange(range: ProtocolRange, field: string): ProtocolRange {
  const { min, max, features } = range;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 0xffff || min > max) throw new RangeError(`${field}: versions must be integers with 1 ≤ min ≤ max ≤ 65535, got ${min}..${max}`);
  if (!Number.isInteger(features) || features < 0 || features > 0xffff_ffff) throw new RangeError(`${field}: features must be a u32, got ${features}`);
  return range;
}

/**
 * Whether a frame type must be understood. The receiver of a type it does not know decides from the type
 * byte alone, so the rule is by range, never by table:
 * - 0x01–0x0f core frames and 0x80–0xff: required. An unknown one is a protocol error (the sender used a
 *   frame outside the version both agreed).
 * - 0x10–0x3f module frames and 0x40–0x7f optional core frames: optional. An unknown one is counted
 *   (`unknownFrames`) and ignored: a peer without a module, or an older build, simply does not handle it.
 * 0x00 is never a frame type (required, so an error).
 */
export type FrameRequirement = 'required' | 'optional';

export const FIRST_OPTIONAL_FRAME_TYPE = 0x10;
export const LAST_OPTIONAL_FRAME_TYPE = 0x7f;

export const frameRequirement = (type: number): FrameRequirement =>
  (type >= FIRST_OPTIONAL_FRAME_TYPE && type <= LAST_OPTIONAL_FRAME_TYPE ? 'optional' : 'required');

/** GOODBYE's codes (docs/PROTOCOL.md, "GOODBYE"): why the sender closes. Unknown codes are shown as "other". */
export const GoodbyeCode = {
  /** Your newest protocol version is below my oldest. */
  tooOld: 1,
  /** Your oldest protocol version is above my newest. */
  tooNew: 2,
  /** We are on different networks. */
  wrongNetwork: 3,
} as const;
export type GoodbyeCodeName = keyof typeof GoodbyeCode;

/** The GOODBYE code that tells the peer what negotiation found, from the peer's point of view. */
export const goodbyeCodeFor = (reason: IncompatibleReason): number => (reason === 'peer-too-old' ? GoodbyeCode.tooOld : GoodbyeCode.tooNew);

/** A received GOODBYE's code by name, or 'other' for a code this build does not know. */
export function goodbyeCodeName(code: number): GoodbyeCodeName | 'other' {
  const entry = Object.entries(GoodbyeCode).find(([, value]) => value === code);
  return entry ? (entry[0] as GoodbyeCodeName) : 'other';
}
