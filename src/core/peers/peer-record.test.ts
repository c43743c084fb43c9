import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../../test/helpers/test-keys.ts';
import { fromHex, toHex } from '../bytes.ts';
import { checkIdentityStamp } from '../identity-stamp.ts';
import { chainParams } from '../ledger/params.ts';
import { InvalidArgumentError } from '../result.ts';
import {
  MAX_RECORD_BYTES, MAX_RECORD_CHAIN_WORK, MAX_RECORD_NEIGHBOURS, checkPeerRecord, encodePeerRecord, isNewerRecord, nextRecordSeq, parsePeerRecord,
  peerRecordVerifyItem, signPeerRecord, type PeerRecord,
} from './peer-record.ts';

const T0 = 1_735_689_600_000; // 2025-01-01T00:00:00Z
const A = 'aa'.repeat(32);
const B = '11'.repeat(32);

async function golden() {
  const signer = await testSigner(7);
  const record = await signPeerRecord('main', signer, {
    seq: T0, issuedAtMs: T0, expiresAtMs: T0 + 600_000, acceptsInbound: true, neighbours: [A, B],
    tipHeight: 300, chainWork: 0x1_0000_0000_0000_0001n, stampNonce: 0x1234_5678,
  });
  return { signer, record };
}

/** The golden record's bytes with one field replaced (offsets from the layout in peer-record.ts). */
async function mutated(offset: number, bytes: number[] | Uint8Array): Promise<Uint8Array> {
  const out = encodePeerRecord('main', (await golden()).record).slice();
  out.set(bytes, offset);
  return out;
}

const u64 = (value: bigint) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
};

describe('peer record encoding', () => {
  it('matches the golden vector (RFC 8032 signatures are deterministic)', async () => {
    const { signer, record } = await golden();
    expect(signer.peerId).toBe('ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c');
    expect(toHex(encodePeerRecord('main', record))).toBe([
      '02', // version
      '0d6e4079', // first 4 bytes of SHA-256("main")
      'ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c', // peerId
      '000001941f297c00', // seq
      '000001941f297c00', // issuedAtMs
      '000001941f32a3c0', // expiresAtMs (+10 min)
      '0000012c', // tipHeight 300
      '00000000000000010000000000000001', // chainWork 2^64 + 1 (u128)
      '0000000012345678', // stampNonce
      '01', // flags: accepts inbound
      '02', // neighbour count
      B, A, // ascending
      '1891139bfd56f8bac383fddbce92487ea7c9a1b304f7e0e3abda8c62baf21d028d26e3bb6d4e6b8fc3fb438fb091e8e1c8bf2916c2279045325015348fb6c301',
    ].join(''));
  });

  it('round-trips, and the signature verifies only on its own network', async () => {
    const { record } = await golden();
    const parsed = parsePeerRecord(encodePeerRecord('main', record));
    expect(parsed.ok && parsed.value.record).toEqual(record);
    expect(await nodeVerifier.verify([peerRecordVerifyItem('main', record)])).toEqual([true]);
    expect(await nodeVerifier.verify([peerRecordVerifyItem('other', record)])).toEqual([false]);
    expect(await nodeVerifier.verify([peerRecordVerifyItem('main', { ...record, neighbours: [B] })])).toEqual([false]);
    expect(await nodeVerifier.verify([peerRecordVerifyItem('main', { ...record, seq: record.seq + 1 })])).toEqual([false]);
  });

  it('builds one frozen record per distinct bytes: tabs in one process share it, and a reused signature over other bytes is its own', async () => {
    const { record } = await golden();
    const bytes = encodePeerRecord('main', record);
    const build = (wire: Uint8Array) => {
      const parsed = parsePeerRecord(wire);
      if (!parsed.ok) throw new Error(parsed.detail);
      return parsed.value.record;
    };
    const first = build(bytes.slice());
    expect(build(bytes.slice()), 'the same bytes, received by another tab').toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.neighbours)).toBe(true);
    const forged = build(await mutated(1 + 4 + 32, u64(BigInt(T0) + 1n))); // seq + 1, the signature kept
    expect(forged).not.toBe(first);
    expect(forged.seq).toBe(T0 + 1);
    expect(await nodeVerifier.verify([peerRecordVerifyItem('main', forged)])).toEqual([false]);
    expect(build(bytes.slice()), 'the genuine bytes still build the genuine record').toEqual(record);
  });

  it('carries the signer\'s chain tip and stamp, from the signer when the fields leave them out', async () => {
    const base = await testSigner(9);
    const signer = { ...base, sign: base.sign.bind(base), identityStamp: 77, chainTip: () => ({ height: 12, chainWork: 5_000n }) };
    const record = await signPeerRecord('main', signer, { seq: 1, issuedAtMs: T0, expiresAtMs: T0 + 1_000, acceptsInbound: false, neighbours: [] });
    expect(record).toMatchObject({ tipHeight: 12, chainWork: 5_000n, stampNonce: 77 });
    const parsed = parsePeerRecord(encodePeerRecord('main', record));
    expect(parsed.ok && parsed.value.record).toMatchObject({ tipHeight: 12, chainWork: 5_000n, stampNonce: 77 });
    expect(await nodeVerifier.verify([peerRecordVerifyItem('main', record)])).toEqual([true]);
    expect(await nodeVerifier.verify([peerRecordVerifyItem('main', { ...record, chainWork: 5_001n })])).toEqual([false]);
    expect(await nodeVerifier.verify([peerRecordVerifyItem('main', { ...record, tipHeight: 13 })])).toEqual([false]);
    // Work beyond 2^128 - 1 saturates rather than wrapping to a small number.
    const heavy = await signPeerRecord('main', base, { seq: 1, issuedAtMs: T0, expiresAtMs: T0 + 1_000, acceptsInbound: false, neighbours: [], chainWork: 1n << 200n });
    expect(heavy.chainWork).toBe(MAX_RECORD_CHAIN_WORK);
    await expect(signPeerRecord('main', base, { seq: 1, issuedAtMs: T0, expiresAtMs: T0 + 1_000, acceptsInbound: false, neighbours: [], tipHeight: -1 })).rejects.toThrow(/tipHeight/);
  });

  it('fits 16 neighbours in MAX_RECORD_BYTES', async () => {
    const neighbours = Array.from({ length: MAX_RECORD_NEIGHBOURS }, (_, i) => i.toString(16).padStart(2, '0').repeat(32));
    const record = await signPeerRecord('main', await testSigner(3), { seq: 1, issuedAtMs: T0, expiresAtMs: T0 + 1, acceptsInbound: false, neighbours });
    expect(encodePeerRecord('main', record).length).toBe(MAX_RECORD_BYTES);
    expect(MAX_RECORD_BYTES).toBe(667);
    // 24 full records, their count and the frame header fit one 16 KiB data-channel message.
    expect(2 + 1 + 24 * MAX_RECORD_BYTES).toBeLessThanOrEqual(16 * 1024);
  });

  it('refuses to sign what it could not parse, naming the field', async () => {
    const signer = await testSigner(7);
    const base = { seq: 1, issuedAtMs: T0, expiresAtMs: T0 + 1_000, acceptsInbound: true, neighbours: [] as string[] };
    await expect(signPeerRecord('main', signer, { ...base, seq: 0 })).rejects.toThrow(/seq/);
    await expect(signPeerRecord('main', signer, { ...base, expiresAtMs: T0 })).rejects.toThrow(/expiresAtMs/);
    await expect(signPeerRecord('main', signer, { ...base, neighbours: [signer.peerId] })).rejects.toThrow(InvalidArgumentError);
    await expect(signPeerRecord('main', signer, { ...base, neighbours: ['XY'] })).rejects.toThrow(/neighbours/);
  });
});

describe('peer record parsing rejects each malformed field by name', () => {
  const cases: [string, () => Promise<Uint8Array>, string, RegExp][] = [
    ['version 3', () => mutated(0, [3]), 'bad-version', /version 3/],
    ['seq 0', () => mutated(37, u64(0n)), 'bad-field', /seq/],
    ['seq beyond 2^53', () => mutated(37, u64(1n << 60n)), 'bad-field', /seq/],
    ['issuedAtMs beyond 2^53', () => mutated(45, u64(1n << 60n)), 'bad-field', /issuedAtMs/],
    ['expiresAtMs before issuedAtMs', () => mutated(53, u64(BigInt(T0 - 1))), 'bad-field', /expiresAtMs must be after/],
    ['lifetime over 30 min', () => mutated(53, u64(BigInt(T0 + 31 * 60_000))), 'bad-field', /lifetime/],
    ['version 1 (no chain tip, no stamp)', () => mutated(0, [1]), 'bad-version', /version 1, expected 2/],
    ['stampNonce beyond 2^53', () => mutated(81, u64(1n << 60n)), 'bad-field', /stampNonce/],
    ['unknown flag bits', () => mutated(89, [0x81]), 'bad-field', /flags/],
    ['neighbour count over 16', () => mutated(90, [17]), 'too-large', /17 neighbours/],
    ['neighbours out of order', () => mutated(91, fromHex('ff'.repeat(32))!), 'bad-field', /ascending/],
    ['duplicate neighbours', () => mutated(123, fromHex(B)!), 'bad-field', /ascending/],
    ['neighbour is the peer itself', async () => mutated(123, fromHex((await golden()).signer.peerId)!), 'bad-field', /itself/],
    ['truncated signature', async () => (await mutated(0, [2])).slice(0, -1), 'truncated', /needs 128 bytes/],
    ['trailing bytes', async () => new Uint8Array([...(await mutated(0, [2])), 0]), 'trailing-bytes', /1 extra/],
    ['oversized input', async () => new Uint8Array(MAX_RECORD_BYTES + 1), 'too-large', /limit 667/],
  ];
  for (const [name, bytes, reason, detail] of cases) {
    it(name, async () => {
      const parsed = parsePeerRecord(await bytes());
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.reason).toBe(reason);
        expect(parsed.detail).toMatch(detail);
      }
    });
  }
});

describe('peer record context', () => {
  it('drops other networks, expired records and records from the future', async () => {
    const { record } = await golden();
    const parsed = parsePeerRecord(encodePeerRecord('main', record));
    if (!parsed.ok) throw new Error(parsed.detail);
    // The golden record's stamp nonce is made up: stampBits 0 accepts any, so these checks see the rest.
    const main = { network: 'main', stampBits: 0 };
    expect(checkPeerRecord(parsed.value, { ...main, nowMs: T0 })).toEqual({ ok: true, value: record });
    expect(checkPeerRecord(parsed.value, { ...main, network: 'test', nowMs: T0 })).toMatchObject({ ok: false, reason: 'wrong-network' });
    expect(checkPeerRecord(parsed.value, { ...main, nowMs: record.expiresAtMs })).toMatchObject({ ok: false, reason: 'expired', detail: /expired/ });
    expect(checkPeerRecord(parsed.value, { ...main, nowMs: T0 - 61_000 })).toMatchObject({ ok: false, reason: 'expired', detail: /future/ });
    expect(checkPeerRecord(parsed.value, { ...main, nowMs: T0 - 59_000 }).ok).toBe(true);
    // At main's 20 bits the made-up nonce is refused, naming the stamp.
    expect(checkPeerRecord(parsed.value, { network: 'main', nowMs: T0 })).toMatchObject({ ok: false, reason: 'bad-field', detail: /stamp/ });
  });

  it('checks the identity stamp at the network\'s bits: the signer\'s own passes, another nonce does not', async () => {
    const signer = await testSigner(8);
    const fields = { seq: 1, issuedAtMs: T0, expiresAtMs: T0 + 60_000, acceptsInbound: true, neighbours: [] };
    const stamped = await signPeerRecord('test-net', signer, fields);
    expect(stamped.stampNonce).toBe(signer.identityStamp);
    const bits = chainParams('test-net').identityStampBits;
    let wrong = 0;
    while (checkIdentityStamp(signer.peerId, wrong, bits).ok) wrong++;
    const forged = await signPeerRecord('test-net', signer, { ...fields, stampNonce: wrong });
    const check = (record: PeerRecord) => {
      const parsed = parsePeerRecord(encodePeerRecord('test-net', record));
      if (!parsed.ok) throw new Error(parsed.detail);
      return checkPeerRecord(parsed.value, { network: 'test-net', nowMs: T0 });
    };
    expect(check(stamped).ok).toBe(true);
    expect(check(forged)).toMatchObject({ ok: false, reason: 'bad-field', detail: /stamp/ });
    // A host that sets its own difficulty passes it in.
    expect(check(forged).ok).toBe(false);
    const parsed = parsePeerRecord(encodePeerRecord('test-net', forged));
    expect(parsed.ok && checkPeerRecord(parsed.value, { network: 'test-net', nowMs: T0, stampBits: 0 }).ok).toBe(true);
  });

  it('orders records by seq, then issuedAtMs; seq follows the clock so it survives a reload', () => {
    const r = (seq: number, issuedAtMs: number) => ({ seq, issuedAtMs }) as PeerRecord;
    expect(isNewerRecord(r(2, 0), r(1, 5))).toBe(true);
    expect(isNewerRecord(r(1, 6), r(1, 5))).toBe(true);
    expect(isNewerRecord(r(1, 5), r(1, 5))).toBe(false);
    expect(nextRecordSeq(undefined, T0)).toBe(T0);
    expect(nextRecordSeq(T0, T0)).toBe(T0 + 1);
    expect(nextRecordSeq(5, T0)).toBe(T0);
  });
});
