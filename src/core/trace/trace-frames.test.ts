import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../../test/helpers/test-keys.ts';
import { MAX_FRAME_BYTES } from '../frames.ts';
import {
  MAX_TRACE_HOPS, TRACE_FRAME_SPECS, TRACE_REPORT, TRACE_REPORT_MAX_BYTES, TRACE_REQUEST, TRACE_REQUEST_BYTES,
  decodeTraceFrame, encodeTraceReport, encodeTraceRequest, signTraceRequest, traceRequestVerifyItem,
} from './trace-frames.ts';

const T0 = 1_735_689_600_000;
const TX = 'ab'.repeat(32);
const NONCE = '0102030405060708';

describe('trace frames', () => {
  it('round-trip a signed request whose signature covers everything but the hop count', async () => {
    const signer = await testSigner(1);
    const request = await signTraceRequest('main', signer, { nonce: NONCE, txId: TX, issuedAtMs: T0, hops: MAX_TRACE_HOPS });
    const payload = encodeTraceRequest(request);
    expect(payload.length).toBe(TRACE_REQUEST_BYTES);
    expect(TRACE_REQUEST_BYTES).toBe(145);
    expect(2 + TRACE_REQUEST_BYTES).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(TRACE_FRAME_SPECS[TRACE_REQUEST].maxPayloadBytes).toBe(145);
    // Layout: nonce first, then the tx id, origin, time, hops, signature.
    expect([...payload.subarray(0, 8)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(payload[8 + 32 + 32 + 8]).toBe(MAX_TRACE_HOPS);
    const decoded = decodeTraceFrame(TRACE_REQUEST, payload);
    expect(decoded).toEqual({ ok: true, value: { kind: 'request', request } });

    const lowered = { ...request, hops: 1 };
    const forged = { ...request, txId: 'cd'.repeat(32) };
    const otherNet = traceRequestVerifyItem('other', request);
    expect(await nodeVerifier.verify([traceRequestVerifyItem('main', lowered), traceRequestVerifyItem('main', forged), otherNet])).toEqual([true, false, false]);
  });

  it('reject a request of the wrong size or with a hop count outside 1..6', async () => {
    const request = await signTraceRequest('main', await testSigner(1), { nonce: NONCE, txId: TX, issuedAtMs: T0, hops: 2 });
    const payload = encodeTraceRequest(request);
    expect(decodeTraceFrame(TRACE_REQUEST, payload.subarray(1))).toMatchObject({ ok: false, reason: 'truncated' });
    expect(decodeTraceFrame(TRACE_REQUEST, Uint8Array.of(...payload, 0))).toMatchObject({ ok: false, reason: 'trailing-bytes' });
    const badHops = payload.slice();
    badHops[80] = 7;
    expect(decodeTraceFrame(TRACE_REQUEST, badHops)).toMatchObject({ ok: false, detail: /hops 7/ });
    badHops[80] = 0;
    expect(decodeTraceFrame(TRACE_REQUEST, badHops)).toMatchObject({ ok: false, detail: /hops 0/ });
    expect(() => encodeTraceRequest({ ...request, hops: 7 })).toThrow(RangeError);
  });

  it('round-trip reports from a peer (89 bytes) and from the origin (49 bytes), and reject bad ones', () => {
    const reporter = '11'.repeat(32);
    const fromPeer = { nonce: NONCE, reporter, firstSeenMs: T0 + 5, from: '22'.repeat(32), fromLinkedAtMs: T0 - 1_000 };
    const fromOrigin = { nonce: NONCE, reporter, firstSeenMs: T0, from: 'origin' as const };
    const peerBytes = encodeTraceReport(fromPeer);
    const originBytes = encodeTraceReport(fromOrigin);
    expect([peerBytes.length, originBytes.length]).toEqual([TRACE_REPORT_MAX_BYTES, 49]);
    expect(decodeTraceFrame(TRACE_REPORT, peerBytes)).toEqual({ ok: true, value: { kind: 'report', report: fromPeer } });
    expect(decodeTraceFrame(TRACE_REPORT, originBytes)).toEqual({ ok: true, value: { kind: 'report', report: fromOrigin } });

    const badSource = originBytes.slice();
    badSource[48] = 2;
    expect(decodeTraceFrame(TRACE_REPORT, badSource)).toMatchObject({ ok: false, detail: /source 2/ });
    expect(decodeTraceFrame(TRACE_REPORT, peerBytes.subarray(0, 60))).toMatchObject({ ok: false, reason: 'truncated' });
    expect(decodeTraceFrame(TRACE_REPORT, Uint8Array.of(...originBytes, 9))).toMatchObject({ ok: false, reason: 'trailing-bytes' });
    expect(decodeTraceFrame(0x15, originBytes)).toMatchObject({ ok: false, reason: 'unknown-type' });
    expect(() => encodeTraceReport({ ...fromPeer, from: 'not hex' })).toThrow(/from must be 32-byte hex/);
  });
});
