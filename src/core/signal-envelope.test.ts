import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { fromHex, toHex } from './bytes.ts';
import { SIGNAL_MAX_AGE_MS, checkSignalContext, openSignal, sealSignal, signalVerifyItem } from './signal-envelope.ts';

const SDP = JSON.stringify({ type: 'offer', sdp: 'v=0\r\na=fingerprint:sha-256 AA:BB:CC\r\n' });

describe('signed signaling envelopes', async () => {
  const alice = await testSigner(1);
  const bob = await testSigner(2);
  const sealed = await sealSignal('test', alice, bob.peerId, SDP, 1_000_000);

  it('opens, checks and verifies an honest envelope', async () => {
    const opened = openSignal(sealed);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.value).toMatchObject({ from: alice.peerId, to: bob.peerId, sentAtMs: 1_000_000, payload: SDP });
    expect(checkSignalContext(opened.value, { stampedFrom: alice.peerId, self: bob.peerId, nowMs: 1_000_500 }).ok).toBe(true);
    expect(await nodeVerifier.verify([signalVerifyItem('test', opened.value)])).toEqual([true]);
  });

  it('a rewritten SDP fingerprint fails verification', async () => {
    const tampered = toHex(new TextEncoder().encode(SDP.replace('AA:BB:CC', 'DD:EE:FF')));
    const hex = sealed.replace(toHex(new TextEncoder().encode(SDP)), tampered);
    expect(hex).not.toBe(sealed);
    const opened = openSignal(hex);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(await nodeVerifier.verify([signalVerifyItem('test', opened.value)])).toEqual([false]);
  });

  it('does not verify on another network', async () => {
    const opened = openSignal(sealed);
    if (!opened.ok) throw new Error('expected to open');
    expect(await nodeVerifier.verify([signalVerifyItem('main', opened.value)])).toEqual([false]);
  });

  it('refuses a spoofed sender, another recipient, and a stale or future envelope', () => {
    const opened = openSignal(sealed);
    if (!opened.ok) throw new Error('expected to open');
    const now = 1_000_000;
    expect(checkSignalContext(opened.value, { stampedFrom: bob.peerId, self: bob.peerId, nowMs: now })).toMatchObject({ ok: false, reason: 'bad-field' });
    expect(checkSignalContext(opened.value, { stampedFrom: alice.peerId, self: alice.peerId, nowMs: now })).toMatchObject({ ok: false, reason: 'wrong-recipient' });
    expect(checkSignalContext(opened.value, { stampedFrom: alice.peerId, self: bob.peerId, nowMs: now + SIGNAL_MAX_AGE_MS + 1 })).toMatchObject({ ok: false, reason: 'expired' });
    expect(checkSignalContext(opened.value, { stampedFrom: alice.peerId, self: bob.peerId, nowMs: now - SIGNAL_MAX_AGE_MS - 1 })).toMatchObject({ ok: false, reason: 'expired' });
  });

  it.each([
    ['non-hex text', 'not hex', 'bad-field'],
    ['an empty envelope', '', 'truncated'],
    ['a wrong version', '02' + sealed.slice(2), 'bad-version'],
    ['a missing signature', sealed.slice(0, -128), 'truncated'],
    ['a trailing byte', sealed + '00', 'trailing-bytes'],
    ['a payload length over the limit', sealed.slice(0, 146) + 'ffffffff' + sealed.slice(154), 'too-large'],
  ])('rejects %s', (_name, hex, reason) => {
    expect(openSignal(hex)).toMatchObject({ ok: false, reason });
  });

  it('rejects a payload that is not UTF-8', async () => {
    const bytes = fromHex(await sealSignal('test', alice, bob.peerId, 'x', 1))!;
    bytes[bytes.length - 65] = 0xff; // the one payload byte
    expect(openSignal(toHex(bytes))).toMatchObject({ ok: false, reason: 'bad-field' });
  });
});
