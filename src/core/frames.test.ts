import { describe, expect, it } from 'vitest';
import { testSigner } from '../../test/helpers/test-keys.ts';
import { fromHex, toHex } from './bytes.ts';
import { FRAME_VERSION, FrameType, MAX_FRAME_BYTES, MAX_INV_ITEMS, encodeFrame, invId, parseFrame, type Frame } from './frames.ts';
import { signTx } from './tx.ts';

const PEER = '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c';
const hello: Frame = { type: 'hello', network: 'test', peerId: PEER, tipHeight: 7, tipHash: 'ab'.repeat(32), userAgent: 'tabmesh/0.2.0', identityStamp: 0x1_0000_0203 };
const { identityStamp: _stamp, ...helloWithoutStamp } = hello;
const helloWithRange: Frame = { ...hello, protocol: { min: 4, max: 5, features: 0x8000_0001 } };
const TX_ID = '5e'.repeat(4) + '0123456789abcdef' + 'ff'.repeat(24);
const BLOCK_HASH = 'cd'.repeat(32);

describe('link frames', () => {
  it('pins the HELLO layout: the identity stamp is a u64 after the user agent', () => {
    const before = '0401' + '04' + toHex(new TextEncoder().encode('test')) + PEER + '00000007' + 'ab'.repeat(32) + '0d' + toHex(new TextEncoder().encode('tabmesh/0.2.0'));
    expect(toHex(encodeFrame(hello))).toBe(before + '0000000100000203');
    // A build from before stamps sends none: it parses, with no stamp, for the node to refuse by name.
    expect(toHex(encodeFrame(helloWithoutStamp as Frame))).toBe(before);
    expect(parseFrame(fromHex(before)!)).toEqual({ ok: true, value: helloWithoutStamp });
  });

  it('pins the HELLO protocol range: min u16, max u16, features u32 after the stamp, and skips fields after it', () => {
    const withStamp = toHex(encodeFrame(hello));
    expect(toHex(encodeFrame(helloWithRange))).toBe(withStamp + '0004' + '0005' + '80000001');
    expect(parseFrame(encodeFrame(helloWithRange))).toEqual({ ok: true, value: helloWithRange });
    // A later version appends its own fields: this build reads what it knows and skips the rest.
    const later = fromHex(withStamp + '0004' + '0007' + '00000003' + 'beef'.repeat(20))!;
    expect(parseFrame(later)).toEqual({ ok: true, value: { ...hello, protocol: { min: 4, max: 7, features: 3 } } });
    expect(() => encodeFrame({ ...helloWithoutStamp, protocol: { min: 4, max: 5, features: 0 } } as Frame)).toThrow(/needs an identityStamp/);
  });

  it('pins the GOODBYE layout: code u8, str8 reason', () => {
    expect(toHex(encodeFrame({ type: 'goodbye', code: 1, reason: 'old' }))).toBe('0440' + '01' + '03' + toHex(new TextEncoder().encode('old')));
  });

  it('refuses to encode a stamp that is not a u53', () => {
    expect(() => encodeFrame({ ...hello, identityStamp: -1 } as Frame)).toThrow(/identityStamp must be/);
  });

  it('names a transaction by its first 8 bytes and a block by its whole hash', () => {
    expect(invId('tx', TX_ID)).toBe('5e5e5e5e01234567');
    expect(invId('block', BLOCK_HASH)).toBe(BLOCK_HASH);
  });

  it.each([
    // framing 4 | type | items, each kind u8 ‖ id (8 bytes for a transaction, 32 for a block); no count.
    ['inv', '040b' + '01' + '5e5e5e5e01234567'],
    ['getData', '040c' + '01' + '5e5e5e5e01234567' + '02' + 'cd'.repeat(32)],
    ['notFound', '040d' + '02' + 'cd'.repeat(32) + '01' + '5e5e5e5e01234567'],
  ] as const)('pins the %s layout: 9 bytes per transaction item', (type, hex) => {
    const items = { inv: [{ kind: 'tx', id: invId('tx', TX_ID) }],
      getData: [{ kind: 'tx', id: invId('tx', TX_ID) }, { kind: 'block', id: BLOCK_HASH }],
      notFound: [{ kind: 'block', id: BLOCK_HASH }, { kind: 'tx', id: invId('tx', TX_ID) }] }[type];
    const frame = { type, items } as Frame;
    expect(toHex(encodeFrame(frame))).toBe(hex);
    expect(parseFrame(fromHex(hex)!)).toEqual({ ok: true, value: frame });
  });

  it('refuses to encode an inventory id of the wrong length for its kind, or an empty or oversized list', () => {
    expect(() => encodeFrame({ type: 'inv', items: [{ kind: 'tx', id: TX_ID }] })).toThrow(/tx inventory id must be 8 bytes/);
    expect(() => encodeFrame({ type: 'inv', items: [{ kind: 'block', id: invId('tx', TX_ID) }] })).toThrow(/block inventory id must be 32 bytes/);
    expect(() => encodeFrame({ type: 'getData', items: [] })).toThrow(/1\.\.400 items/);
    const tooMany = Array.from({ length: MAX_INV_ITEMS + 1 }, () => ({ kind: 'tx' as const, id: invId('tx', TX_ID) }));
    expect(() => encodeFrame({ type: 'inv', items: tooMany })).toThrow(/1\.\.400 items/);
  });

  it('round-trips every frame type', async () => {
    const signer = await testSigner(1);
    const tx = await signTx('test', { from: signer.peerId, to: PEER, amount: 5, fee: 1, nonce: 0 }, signer);
    for (const frame of [hello, helloWithRange, { type: 'goodbye', code: 3, reason: 'wrong network' }, { type: 'tx', tx }, { type: 'ping', nonce: 42 }, { type: 'pong', nonce: 2 ** 53 - 1 }] as Frame[]) {
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
    ['a hello with a protocol range cut short', new Uint8Array([...encodeFrame({ ...hello, userAgent: '' }), 0, 4, 0]), 'truncated'],
    ['a hello with an empty protocol range', new Uint8Array([...encodeFrame(hello), 0, 5, 0, 4, 0, 0, 0, 0]), 'bad-field'],
    ['a hello over its 1,024-byte limit', new Uint8Array([...encodeFrame(helloWithRange), ...new Uint8Array(1024)]), 'too-large'],
    ['a goodbye with invalid UTF-8', Uint8Array.of(FRAME_VERSION, FrameType.goodbye, 1, 1, 0xff), 'bad-field'],
    ['a goodbye with a trailing byte', new Uint8Array([...encodeFrame({ type: 'goodbye', code: 1, reason: '' }), 0]), 'trailing-bytes'],
    ['a hello with a stamp cut short', new Uint8Array([...encodeFrame(helloWithoutStamp as Frame), 0, 0, 1]), 'truncated'],
    ['a hello with a stamp over 2^53-1', new Uint8Array([...encodeFrame(helloWithoutStamp as Frame), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 'bad-field'],
    ['a hello cut short', encodeFrame(hello).subarray(0, 20), 'truncated'],
    ['a hello with invalid UTF-8', fromHex('0401' + '01' + 'ff' + PEER + '00000000' + '00'.repeat(32) + '00')!, 'bad-field'],
    ['a tx frame of the wrong length', Uint8Array.of(FRAME_VERSION, FrameType.tx, 1, 2, 3), 'truncated'],
    ['a version 1 frame (full inventory ids)', fromHex('010b0001' + '01' + 'ab'.repeat(32))!, 'bad-version'],
    ['a framing 3 frame (before negotiation)', Uint8Array.of(3, FrameType.ping, 0, 0, 0, 0, 0, 0, 0, 1), 'bad-version'],
    ['an inventory frame with no items', Uint8Array.of(FRAME_VERSION, FrameType.inv), 'bad-field'],
    ['an inventory item of unknown kind', fromHex('040b' + '03' + 'ab'.repeat(8))!, 'bad-field'],
    ['a transaction item cut short', fromHex('040c' + '01' + 'ab'.repeat(7))!, 'truncated'],
    ['a block item cut short', fromHex('040d' + '02' + 'ab'.repeat(8))!, 'truncated'],
    ['401 inventory items', fromHex('040b' + ('01' + 'ab'.repeat(8)).repeat(MAX_INV_ITEMS + 1))!, 'too-large'],
  ])('rejects %s', (_name, bytes, reason) => {
    const result = parseFrame(bytes);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });
});
