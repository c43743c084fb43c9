import { describe, expect, it } from 'vitest';
import { BUNDLE_FRAME_TYPE, isBundle, packFrames, splitBundle } from './frame-bundle.ts';
import { encodeFrame, FRAME_VERSION, MAX_FRAME_BYTES } from './frames.ts';

const ping = (nonce: number) => encodeFrame({ type: 'ping', nonce });
const filler = (bytes: number) => Uint8Array.from({ length: bytes }, (_value, index) => (index < 2 ? [FRAME_VERSION, 0x02][index]! : index % 251));

describe('frame bundles', () => {
  it('sends a lone frame as it is, without the bundle overhead', () => {
    const frame = ping(1);
    expect(packFrames([frame])).toEqual([frame]);
    expect(packFrames([])).toEqual([]);
  });

  it('packs frames into one message and splits them back in order', () => {
    const frames = [ping(1), ping(2), ping(3)];
    const [message, ...rest] = packFrames(frames);
    expect(rest).toEqual([]);
    expect(isBundle(message!)).toBe(true);
    expect([...message!.subarray(0, 4)]).toEqual([FRAME_VERSION, BUNDLE_FRAME_TYPE, 0, frames[0]!.length]);
    expect(message!.length).toBe(2 + frames.reduce((total, frame) => total + 2 + frame.length, 0));
    expect(splitBundle(message!)).toEqual({ ok: true, value: frames });
  });

  it('starts a new message where the next frame would pass 16 KiB, keeping the order', () => {
    const big = [filler(9_000), filler(9_000), filler(100), ping(7)];
    const messages = packFrames(big);
    expect(messages).toHaveLength(2);
    for (const message of messages) expect(message.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(messages[0]).toEqual(big[0]); // alone in its message: sent plain
    const second = splitBundle(messages[1]!);
    expect(second).toEqual({ ok: true, value: big.slice(1) });
  });

  it.each([
    ['an empty bundle', Uint8Array.of(FRAME_VERSION, BUNDLE_FRAME_TYPE), 'truncated'],
    ['a length cut short', Uint8Array.of(FRAME_VERSION, BUNDLE_FRAME_TYPE, 0), 'truncated'],
    ['a frame running past the end', Uint8Array.of(FRAME_VERSION, BUNDLE_FRAME_TYPE, 0, 9, FRAME_VERSION, 3, 0), 'truncated'],
    ['a frame of one byte', Uint8Array.of(FRAME_VERSION, BUNDLE_FRAME_TYPE, 0, 1, FRAME_VERSION), 'truncated'],
    ['a bundle inside a bundle', Uint8Array.of(FRAME_VERSION, BUNDLE_FRAME_TYPE, 0, 2, FRAME_VERSION, BUNDLE_FRAME_TYPE), 'bad-field'],
    ['another version', Uint8Array.of(FRAME_VERSION + 1, BUNDLE_FRAME_TYPE, 0, 2, FRAME_VERSION, 3), 'bad-version'],
    ['over 16 KiB', new Uint8Array(MAX_FRAME_BYTES + 1).fill(1, 2), 'too-large'],
  ])('rejects %s', (_name, bytes, reason) => {
    expect(splitBundle(bytes)).toMatchObject({ ok: false, reason });
  });
});
