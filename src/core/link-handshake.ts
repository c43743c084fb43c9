/**
 * What a link's HELLO and GOODBYE mean (docs/PROTOCOL.md, "Link state
 * machine" and "Versioning"), decided without side effects: node.ts acts on
 * the verdict (opens the session, bans, or says GOODBYE). The order of the
 * checks is the order of the doc: network, signed identity, protocol range,
 * identity stamp.
 */
import type { HelloFrame } from './frames.ts';
import { checkIdentityStamp } from './identity-stamp.ts';
import type { SessionProtocol } from './peer-session.ts';
import { GoodbyeCode, RANGE_OF_BARE_HELLO, goodbyeCodeFor, goodbyeCodeName, negotiate, type GoodbyeCodeName, type IncompatibleReason, type ProtocolRange } from './protocol-version.ts';
import type { PeerId } from './types.ts';

/** What this node expects of a HELLO. */
export interface HelloExpectations {
  network: string;
  /** The id that signed this link's signaling. */
  peerId: PeerId;
  ours: ProtocolRange;
  /** Identity-stamp difficulty (the ledger's identityStampBits). */
  stampBits: number;
}

/** What to do with a HELLO. None of the closes is a ban: only `punish` holds the peer off. */
export type HelloVerdict =
  | { kind: 'open'; protocol: SessionProtocol }
  /** Misbehaviour: a forged identity or stamp. */
  | { kind: 'punish'; reason: string; stampRejected: boolean }
  /** Not misbehaviour, and the peer may read why: say GOODBYE, then close. */
  | { kind: 'goodbye'; code: number; reason: string; incompatible?: IncompatibleReason }
  /** Not misbehaviour: close (a HELLO with no stamp). */
  | { kind: 'close'; reason: string; stampRejected: boolean };

export function checkHello(hello: HelloFrame, expect: HelloExpectations): HelloVerdict {
  if (hello.network !== expect.network) return { kind: 'goodbye', code: GoodbyeCode.wrongNetwork, reason: `wrong network ${hello.network}` };
  if (hello.peerId !== expect.peerId) return { kind: 'punish', reason: 'hello peer id differs from the signed signaling identity', stampRejected: false };
  // An older or newer build is not misbehaviour. It is told why and closed, never held off, so the two
  // link again as soon as one of them reloads into a build the other speaks.
  const theirs = hello.protocol ?? RANGE_OF_BARE_HELLO;
  const agreed = negotiate(expect.ours, theirs);
  if (!agreed.ok) return { kind: 'goodbye', code: goodbyeCodeFor(agreed.reason), reason: agreed.detail, incompatible: agreed.reason };
  // An identity costs work (docs/PROTOCOL.md, "Identity stamp"). A HELLO with none is closed without a
  // ban; a wrong stamp is a forgery or a cheap Sybil id: banned.
  const stamp = checkIdentityStamp(expect.peerId, hello.identityStamp, expect.stampBits);
  if (!stamp.ok) {
    return hello.identityStamp !== undefined
      ? { kind: 'punish', reason: stamp.detail, stampRejected: true }
      : { kind: 'close', reason: 'no identity stamp in hello', stampRejected: true };
  }
  return { kind: 'open', protocol: { version: agreed.value.version, peerMin: theirs.min, peerMax: theirs.max, peerFeatures: agreed.value.peerFeatures } };
}

/** A received GOODBYE, read: its code by name, and what it says of our build when it is about versions. */
export function readGoodbye(code: number): { name: GoodbyeCodeName | 'other'; incompatible?: IncompatibleReason } {
  const name = goodbyeCodeName(code);
  // The peer's "you are too old" means this build is the old one, and the peer the newer.
  if (name === 'tooOld') return { name, incompatible: 'peer-too-new' };
  if (name === 'tooNew') return { name, incompatible: 'peer-too-old' };
  return { name };
}
