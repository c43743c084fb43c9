import { describe, expect, it } from 'vitest';
import { testSigner } from '../../test/helpers/test-keys.ts';
import { fromHex, toHex } from './bytes.ts';
import { FRAME_VERSION, FrameType, MAX_FRAME_BYTES, encodeFrame, parseFrame, type Frame } from './frames.ts';
import { signTx } from './tx.ts';

const PEER = '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c';
const hello: Frame = { type: 'hello', network: 'test', peerId: PEER, tipHeight: 7, tipHash: 'ab'.repeat(32), userAgent: 'tabmesh/0.1.0' };

describe('link frames', () => {
  it('pins the HELLO layout', () => {
    expect(toHex(encodeFrame(hello))).toBe(
      '0101' + '04' + toHex(new TextEncoder().encode('test')) + PEER + '00000007' + 'ab'.repeat(32) + '0d' + toHex(new TextEncoder().encode('tabmesh/0.1.0')),
    );
  });

  it('round-trips every frame type', async () => {
    const signer = await testSigner(1);
    const tx = await signTx('test', { from: signer.peerId, to: PEER, amount: 5, fee: 1, nonce: 0 }, signer);
    for (const frame of [hello, { type: 'tx', tx }, { type: 'ping', nonce: 42 }, { type: 'pong', nonce: 2 ** 53 - 1 }] as Frame[]) {
      expect(parseFrame(encodeFrame(frame))).toEqual({ ok: true, value: frame });
    }
  });

  const ping = encodeFrame({ type: 'ping', nonce: 1 });
  it.each([
    ['an empty frame', new Uint8Array(0), 'truncated'],
    ['only a version byte', Uint8Array.of(FRAME_VERSION), 'truncated'],
    ['an unknown version', Uint8Array.of(9, FrameType.ping, 0, 0, 0, 0, 0, 0, 0, 1), 'bad-version'],
    ['an unknown type', Uint8Array.of(FRAME_VERSION, 0x7f), 'unknown-type'],
    ['a frame over 16 KiB', new Uint8Array(MAX_FRAME_BYTES + 1), 'too-large'],
    ['a ping payload over its limit', new Uint8Array([...ping, 0]), 'too-large'],
    ['a short ping', ping.subarray(0, 5), 'truncated'],
    ['a ping nonce over 2^53-1', Uint8Array.of(FRAME_VERSION, FrameType.ping, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 'bad-field'],
    ['a hello with a trailing byte', new Uint8Array([...encodeFrame({ ...hello, userAgent: '' }), 0]), 'trailing-bytes'],
    ['a hello cut short', encodeFrame(hello).subarray(0, 20), 'truncated'],
    ['a hello with invalid UTF-8', fromHex('0101' + '01' + 'ff' + PEER + '00000000' + '00'.repeat(32) + '00')!, 'bad-field'],
    ['a tx frame of the wrong length', Uint8Array.of(FRAME_VERSION, FrameType.tx, 1, 2, 3), 'truncated'],
  ])('rejects %s', (_name, bytes, reason) => {
    const result = parseFrame(bytes);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });
});
