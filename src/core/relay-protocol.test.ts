import { describe, expect, it } from 'vitest';
import { RELAY_MAX_SIGNAL_CHARS, joinSigningBytes, parseClientMessage, parseServerMessage } from './relay-protocol.ts';

const ID = 'ab'.repeat(32);

describe('relay messages', () => {
  it('parses well-formed client messages', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'join', network: 'test-1', peerId: ID, signature: 'cd'.repeat(64) })).ok).toBe(true);
    expect(parseClientMessage(JSON.stringify({ type: 'signal', to: ID, data: 'beef' }))).toEqual({ ok: true, value: { type: 'signal', to: ID, data: 'beef' } });
  });

  it('carries the identity stamp in a join, and parses a join from before stamps without one', () => {
    const join = { type: 'join', network: 'main', peerId: ID, signature: 'cd'.repeat(64) };
    expect(parseClientMessage(JSON.stringify({ ...join, identityStamp: 2 ** 40 }))).toEqual({ ok: true, value: { ...join, identityStamp: 2 ** 40 } });
    expect(parseClientMessage(JSON.stringify(join))).toEqual({ ok: true, value: join });
    expect(parseServerMessage(JSON.stringify({ type: 'error', code: 'bad-stamp', message: 'no stamp' })).ok).toBe(true);
    expect(parseServerMessage(JSON.stringify({ type: 'error', code: 'address-limit', message: 'too many' })).ok).toBe(true);
  });

  it.each([
    ['bad JSON', '{', 'bad-json'],
    ['a JSON array', '[]', 'bad-field'],
    ['null', 'null', 'bad-field'],
    ['an unknown type', '{"type":"shout"}', 'unknown-type'],
    ['a bad network name', JSON.stringify({ type: 'join', network: 'has space', peerId: ID, signature: 'cd'.repeat(64) }), 'bad-field'],
    ['an upper-case peer id', JSON.stringify({ type: 'join', network: 'n', peerId: ID.toUpperCase(), signature: 'cd'.repeat(64) }), 'bad-field'],
    ['a short signature', JSON.stringify({ type: 'join', network: 'n', peerId: ID, signature: 'cd' }), 'bad-field'],
    ['a negative stamp', JSON.stringify({ type: 'join', network: 'n', peerId: ID, signature: 'cd'.repeat(64), identityStamp: -1 }), 'bad-field'],
    ['a stamp as text', JSON.stringify({ type: 'join', network: 'n', peerId: ID, signature: 'cd'.repeat(64), identityStamp: '7' }), 'bad-field'],
    ['an empty signal', JSON.stringify({ type: 'signal', to: ID, data: '' }), 'bad-field'],
    ['an oversized signal', JSON.stringify({ type: 'signal', to: ID, data: 'a'.repeat(RELAY_MAX_SIGNAL_CHARS + 1) }), 'bad-field'],
    ['a frame over 64 KiB', 'x'.repeat(64 * 1024 + 1), 'too-large'],
  ])('rejects a client frame with %s', (_name, text, reason) => {
    expect(parseClientMessage(text)).toMatchObject({ ok: false, reason });
  });

  it('parses server messages and rejects bad ones', () => {
    expect(parseServerMessage(JSON.stringify({ type: 'welcome', peerId: ID, peers: [ID] })).ok).toBe(true);
    expect(parseServerMessage(JSON.stringify({ type: 'error', code: 'room-full', message: 'full' })).ok).toBe(true);
    expect(parseServerMessage(JSON.stringify({ type: 'welcome', peerId: ID, peers: ['x'] }))).toMatchObject({ ok: false, reason: 'bad-field' });
    expect(parseServerMessage(JSON.stringify({ type: 'error', code: 'nope', message: '' }))).toMatchObject({ ok: false, reason: 'bad-field' });
    expect(parseServerMessage(JSON.stringify({ type: 'challenge', nonce: '00' }))).toMatchObject({ ok: false, reason: 'bad-field' });
    expect(parseServerMessage(JSON.stringify({ type: 'signal', from: 'me', data: 'x' }))).toMatchObject({ ok: false, reason: 'bad-field' });
  });

  it('parses active and idle, dropping extra fields', () => {
    expect(parseClientMessage('{"type":"idle","peerId":"x"}')).toEqual({ ok: true, value: { type: 'idle' } });
    expect(parseClientMessage('{"type":"active"}')).toEqual({ ok: true, value: { type: 'active' } });
  });

  it('parses welcome.features when present and bounded, and tolerates its absence', () => {
    const welcome = { type: 'welcome', peerId: ID, peers: [] };
    expect(parseServerMessage(JSON.stringify(welcome))).toEqual({ ok: true, value: welcome });
    expect(parseServerMessage(JSON.stringify({ ...welcome, features: ['activity', 'later-thing'] })))
      .toEqual({ ok: true, value: { ...welcome, features: ['activity', 'later-thing'] } });
    expect(parseServerMessage(JSON.stringify({ ...welcome, features: 'activity' }))).toMatchObject({ ok: false, reason: 'bad-field' });
    expect(parseServerMessage(JSON.stringify({ ...welcome, features: ['Bad Name'] }))).toMatchObject({ ok: false, reason: 'bad-field' });
    expect(parseServerMessage(JSON.stringify({ ...welcome, features: Array(17).fill('a') }))).toMatchObject({ ok: false, reason: 'bad-field' });
  });

  it('parses attested network groups: one per welcome member (or null), and one on peer-joined and signal', () => {
    const welcome = { type: 'welcome', peerId: ID, peers: [ID, ID] };
    expect(parseServerMessage(JSON.stringify({ ...welcome, groups: ['ip4:203.0', null] }))).toEqual({ ok: true, value: { ...welcome, groups: ['ip4:203.0', null] } });
    expect(parseServerMessage(JSON.stringify({ ...welcome, groups: ['ip4:203.0'] }))).toMatchObject({ ok: false, reason: 'bad-field' });
    expect(parseServerMessage(JSON.stringify({ ...welcome, groups: ['203.0.113.9', null] }))).toMatchObject({ ok: false, reason: 'bad-field' });
    expect(parseServerMessage(JSON.stringify({ type: 'peer-joined', peerId: ID, group: 'ip6:2001:db8' }))).toEqual({ ok: true, value: { type: 'peer-joined', peerId: ID, group: 'ip6:2001:db8' } });
    expect(parseServerMessage(JSON.stringify({ type: 'signal', from: ID, data: 'x', group: 'ip4:1.2' }))).toEqual({ ok: true, value: { type: 'signal', from: ID, data: 'x', group: 'ip4:1.2' } });
    expect(parseServerMessage(JSON.stringify({ type: 'signal', from: ID, data: 'x', group: 'ip4:1.2.3.4' }))).toMatchObject({ ok: false, reason: 'bad-field' });
  });

  it('binds the network into the join signature bytes', () => {
    const challenge = new Uint8Array(32).fill(7);
    const a = joinSigningBytes('a', challenge);
    expect(new TextDecoder().decode(a.subarray(0, 21))).toBe('tabmesh/relay-join/v1');
    expect(a).not.toEqual(joinSigningBytes('b', challenge));
    expect(a.length).toBe(21 + 2 + 32);
  });

  it('rejects a type of deeply nested arrays by name instead of throwing RangeError (issue 23)', () => {
    const depth = 20_000;
    const text = `{"type":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    for (const parse of [parseClientMessage, parseServerMessage]) {
      const parsed = parse(text);
      expect(parsed).toMatchObject({ ok: false, reason: 'unknown-type', detail: 'unknown message type an array of 1' });
    }
  });

  it('quotes at most 40 characters of an unknown type', () => {
    const parsed = parseClientMessage(JSON.stringify({ type: 'x'.repeat(50_000) }));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.detail.length).toBeLessThan(80);
  });
});
