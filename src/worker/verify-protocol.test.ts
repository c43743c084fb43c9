import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VerifyItem } from '../core/types.ts';
import { createNobleEd25519Verifier, nobleKeypair, nobleSign } from '../crypto/ed25519.ts';
import {
  MAX_MESSAGE_BYTES,
  MAX_REQUEST_ITEMS,
  handleVerifyRequest,
  packVerifyRequest,
  parseVerifyReply,
  type ItemVerifier,
} from './verify-protocol.ts';

const verifier = createNobleEd25519Verifier();
const keys = nobleKeypair(new Uint8Array(32).fill(7));

function signed(text: string): VerifyItem {
  const message = new TextEncoder().encode(text);
  return { publicKey: keys.publicKey, message, signature: nobleSign(keys.secretKey, message) };
}

const good = signed('hello');
const bad: VerifyItem = { ...signed('world'), message: new TextEncoder().encode('World') };

describe('handleVerifyRequest', () => {
  it('answers each item in order, with the backend', async () => {
    const reply = await handleVerifyRequest({ id: 7, items: [good, bad, good] }, verifier);
    expect(reply).toEqual({ id: 7, ok: true, results: [true, false, true], backend: 'noble' });
  });

  it('accepts an empty batch (the pool uses one to ask for the backend)', async () => {
    expect(await handleVerifyRequest({ id: 0, items: [] }, Promise.resolve(verifier))).toEqual({ id: 0, ok: true, results: [], backend: 'noble' });
  });

  it('answers false, not an error, for wrong key or signature lengths', async () => {
    const reply = await handleVerifyRequest({ id: 1, items: [{ ...good, publicKey: new Uint8Array(3) }, { ...good, signature: new Uint8Array(0) }] }, verifier);
    expect(reply).toEqual({ id: 1, ok: true, results: [false, false], backend: 'noble' });
  });

  const malformed: [string, unknown, number | null, string][] = [
    ['null', null, null, 'malformed-request'],
    ['a string', 'verify please', null, 'malformed-request'],
    ['a missing id', { items: [] }, null, 'malformed-request'],
    ['a negative id', { id: -1, items: [] }, null, 'malformed-request'],
    ['a fractional id', { id: 1.5, items: [] }, null, 'malformed-request'],
    ['items not an array', { id: 2, items: 'x' }, 2, 'malformed-request'],
    ['a null item', { id: 3, items: [null] }, 3, 'malformed-request'],
    ['a hex string key', { id: 4, items: [{ ...good, publicKey: 'abcd' }] }, 4, 'malformed-request'],
    ['a missing signature', { id: 5, items: [{ publicKey: good.publicKey, message: good.message }] }, 5, 'malformed-request'],
    ['too many items', { id: 6, items: Array.from({ length: MAX_REQUEST_ITEMS + 1 }, () => good) }, 6, 'too-large'],
    ['an oversized message', { id: 8, items: [{ ...good, message: new Uint8Array(MAX_MESSAGE_BYTES + 1) }] }, 8, 'too-large'],
  ];
  for (const [what, request, id, reason] of malformed) {
    it(`replies with an error for ${what}`, async () => {
      const reply = await handleVerifyRequest(request, verifier);
      expect(reply).toMatchObject({ id, ok: false, reason });
      expect(reply.ok === false && reply.detail.length > 0).toBe(true);
    });
  }

  it('names the bad field in the detail', async () => {
    const reply = await handleVerifyRequest({ id: 9, items: [good, { ...good, message: [1, 2] }] }, verifier);
    expect(reply).toMatchObject({ ok: false, detail: 'items[1].message must be a Uint8Array' });
  });

  it('turns a verifier that throws, or never loads, into a verify-failed reply', async () => {
    const throwing: ItemVerifier = { backend: 'broken', verify: () => Promise.reject(new TypeError('bad state')) };
    expect(await handleVerifyRequest({ id: 10, items: [good] }, throwing)).toEqual({ id: 10, ok: false, reason: 'verify-failed', detail: 'TypeError: bad state' });
    const neverLoaded = Promise.reject(new Error('no backend'));
    expect(await handleVerifyRequest({ id: 11, items: [good] }, neverLoaded)).toMatchObject({ id: 11, ok: false, reason: 'verify-failed', detail: 'Error: no backend' });
  });

  it('never rejects, whatever it is sent (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything({ withTypedArray: true }), async (junk) => {
        const reply = await handleVerifyRequest(junk, verifier);
        expect(typeof reply.ok).toBe('boolean');
        expect(parseVerifyReply(reply)).toEqual(reply);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseVerifyReply', () => {
  it('accepts well-formed replies', () => {
    expect(parseVerifyReply({ id: 1, ok: true, results: [true], backend: 'webcrypto' })).toEqual({ id: 1, ok: true, results: [true], backend: 'webcrypto' });
    expect(parseVerifyReply({ id: null, ok: false, reason: 'malformed-request', detail: 'x' })).toEqual({ id: null, ok: false, reason: 'malformed-request', detail: 'x' });
  });

  it('rejects anything else', () => {
    for (const junk of [
      null,
      { id: 1, ok: true, results: [1], backend: 'x' },
      { id: 1, ok: true, results: [true] },
      { id: '1', ok: true, results: [], backend: 'x' },
      { id: 1, ok: false, reason: 'oops', detail: 'x' },
      { id: 1, ok: 'yes' },
    ]) {
      expect(parseVerifyReply(junk)).toBeUndefined();
    }
  });
});

describe('packVerifyRequest', () => {
  it('copies every item into one transferable buffer, leaving the originals alone', () => {
    const { request, transfer } = packVerifyRequest(3, [good, bad]);
    expect(transfer).toHaveLength(1);
    expect(transfer[0]!.byteLength).toBe(2 * (32 + 64) + good.message.length + bad.message.length);
    for (const [i, item] of [good, bad].entries()) {
      const packed = request.items[i]!;
      for (const field of ['publicKey', 'message', 'signature'] as const) {
        expect(packed[field]).toEqual(item[field]);
        expect(packed[field].buffer).toBe(transfer[0]);
      }
    }
    structuredClone(request, { transfer });
    expect(transfer[0]!.byteLength).toBe(0); // detached: it moved
    expect(good.signature.byteLength).toBe(64); // the caller's bytes did not
  });
});
