import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { testSigner } from '../../test/helpers/test-keys.ts';
import type { HelloFrame } from './frames.ts';
import { checkHello, readGoodbye } from './link-handshake.ts';
import {
  GoodbyeCode, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN, RANGE_OF_BARE_HELLO, checkRange, frameRequirement, negotiate, type ProtocolRange,
} from './protocol-version.ts';

const range = (min: number, max: number, features = 0): ProtocolRange => ({ min, max, features });

describe('protocol negotiation', () => {
  it('speaks the highest version both know', () => {
    expect(negotiate(range(4, 5), range(4, 4, 1))).toEqual({ ok: true, value: { version: 4, peerFeatures: 1 } });
    expect(negotiate(range(4, 5), range(3, 9))).toEqual({ ok: true, value: { version: 5, peerFeatures: 0 } });
    expect(negotiate(range(5, 5), range(5, 6))).toMatchObject({ ok: true, value: { version: 5 } });
  });

  it('names which side is too old when the ranges do not meet', () => {
    expect(negotiate(range(5, 6), range(3, 4))).toMatchObject({ ok: false, reason: 'peer-too-old', detail: 'peer speaks protocol 3–4, this build 5–6' });
    expect(negotiate(range(3, 4), range(5, 6))).toMatchObject({ ok: false, reason: 'peer-too-new' });
  });

  it('is symmetric: both sides agree on the version, or on who is older', () => {
    const arbitraryRange = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 4 })).map(([min, width]) => range(min, min + width));
    fc.assert(fc.property(arbitraryRange, arbitraryRange, (a, b) => {
      const ab = negotiate(a, b);
      const ba = negotiate(b, a);
      expect(ab.ok).toBe(ba.ok);
      if (ab.ok && ba.ok) {
        expect(ab.value.version).toBe(ba.value.version);
        // The version is inside both ranges.
        for (const side of [a, b]) expect(ab.value.version >= side.min && ab.value.version <= side.max).toBe(true);
      }
      if (!ab.ok && !ba.ok) expect(new Set([ab.reason, ba.reason])).toEqual(new Set(['peer-too-old', 'peer-too-new']));
    }));
  });

  it("this build's range includes the first negotiating version, and a bare HELLO reads as that version", () => {
    expect(PROTOCOL_VERSION_MIN).toBe(4);
    expect(PROTOCOL_VERSION_MAX).toBeGreaterThanOrEqual(PROTOCOL_VERSION_MIN);
    expect(negotiate(range(PROTOCOL_VERSION_MIN, PROTOCOL_VERSION_MAX), RANGE_OF_BARE_HELLO)).toMatchObject({ ok: true, value: { version: 4, peerFeatures: 0 } });
  });

  it('refuses a NodeInit range that is empty, fractional or features beyond a u32', () => {
    expect(() => checkRange(range(5, 4), 'x')).toThrow(/1 ≤ min ≤ max/);
    expect(() => checkRange(range(4.5, 5), 'x')).toThrow(/integers/);
    expect(() => checkRange(range(4, 5, 2 ** 32), 'x')).toThrow(/u32/);
    expect(checkRange(range(4, 5, 0xffff_ffff), 'x')).toEqual(range(4, 5, 0xffff_ffff));
  });
});

describe('frame requirement', () => {
  it.each([
    [0x00, 'required'], [0x01, 'required'], [0x0e, 'required'], [0x0f, 'required'],
    [0x10, 'optional'], [0x13, 'optional'], [0x3f, 'optional'], [0x40, 'optional'], [0x7f, 'optional'],
    [0x80, 'required'], [0xff, 'required'],
  ] as const)('type 0x%s is %s', (type, requirement) => {
    expect(frameRequirement(type)).toBe(requirement);
  });
});

describe('HELLO and GOODBYE verdicts', () => {
  async function helloFrom(seed: number, extra: Partial<HelloFrame> = {}): Promise<HelloFrame> {
    const signer = await testSigner(seed);
    return { type: 'hello', network: 'test', peerId: signer.peerId, tipHeight: 0, tipHash: '00'.repeat(32), userAgent: 't', identityStamp: signer.identityStamp, ...extra };
  }
  const expectFor = (hello: HelloFrame, ours = range(4, 5)) => ({ network: 'test', peerId: hello.peerId, ours, stampBits: 8 });

  it('opens at the negotiated version, with the peer range and features', async () => {
    const hello = await helloFrom(1, { protocol: range(4, 4, 1) });
    expect(checkHello(hello, expectFor(hello))).toEqual({ kind: 'open', protocol: { version: 4, peerMin: 4, peerMax: 4, peerFeatures: 1 } });
  });

  it('says goodbye, without a ban, to a peer too old, and to one on another network', async () => {
    const old = await helloFrom(1, { protocol: range(4, 4) });
    expect(checkHello(old, expectFor(old, range(5, 6)))).toEqual({ kind: 'goodbye', code: GoodbyeCode.tooOld, reason: 'peer speaks protocol 4, this build 5–6', incompatible: 'peer-too-old' });
    const elsewhere = await helloFrom(1, { network: 'main' });
    expect(checkHello(elsewhere, expectFor(elsewhere))).toMatchObject({ kind: 'goodbye', code: GoodbyeCode.wrongNetwork });
  });

  it('checks the version before the stamp, and still bans a forged identity', async () => {
    // A newer build may have changed the stamp rule: it is told it is too new, not banned for its stamp.
    const newer = await helloFrom(1, { protocol: range(9, 9), identityStamp: 12345 });
    expect(checkHello(newer, expectFor(newer))).toMatchObject({ kind: 'goodbye', incompatible: 'peer-too-new' });
    const forged = await helloFrom(1);
    expect(checkHello(forged, { ...expectFor(forged), peerId: 'ab'.repeat(32) })).toMatchObject({ kind: 'punish' });
  });

  it('reads a GOODBYE code from the peer side: its "too old" means we are the older build', () => {
    expect(readGoodbye(GoodbyeCode.tooOld)).toEqual({ name: 'tooOld', incompatible: 'peer-too-new' });
    expect(readGoodbye(GoodbyeCode.tooNew)).toEqual({ name: 'tooNew', incompatible: 'peer-too-old' });
    expect(readGoodbye(GoodbyeCode.wrongNetwork)).toEqual({ name: 'wrongNetwork' });
    expect(readGoodbye(200)).toEqual({ name: 'other' });
  });
});
