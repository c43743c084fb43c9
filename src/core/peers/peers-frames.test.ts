import { describe, expect, it } from 'vitest';
import { testSigner } from '../../../test/helpers/test-keys.ts';
import { fromHex } from '../bytes.ts';
import { MAX_FRAME_BYTES } from '../frames.ts';
import { sealSignal } from '../signal-envelope.ts';
import { MAX_RECORD_NEIGHBOURS, signPeerRecord } from './peer-record.ts';
import {
  GET_PEERS, MAX_MESH_SIGNAL_PAYLOAD, MAX_PEER_RECORDS_PAYLOAD, MAX_RECORDS_PER_FRAME, MESH_SIGNAL, PEERS_FRAME_SPECS, PEER_RECORDS,
  decodePeersFrame, encodeGetPeers, encodeMeshSignal, encodePeerRecords,
} from './peers-frames.ts';

const T0 = 1_735_689_600_000;
const full = (seed: number) => testSigner(seed).then((signer) => signPeerRecord('main', signer, {
  seq: 1, issuedAtMs: T0, expiresAtMs: T0 + 600_000, acceptsInbound: true,
  neighbours: Array.from({ length: MAX_RECORD_NEIGHBOURS }, (_, i) => (i + 16).toString(16).repeat(64).slice(0, 64)),
}));

describe('peers frames', () => {
  it('fit every limit inside one 16 KiB data-channel message', async () => {
    const records = await Promise.all(Array.from({ length: MAX_RECORDS_PER_FRAME }, (_, i) => full(i + 1)));
    const payload = encodePeerRecords('main', records);
    expect(payload.length).toBe(MAX_PEER_RECORDS_PAYLOAD);
    expect(2 + MAX_PEER_RECORDS_PAYLOAD).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(2 + MAX_MESH_SIGNAL_PAYLOAD).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(PEERS_FRAME_SPECS[PEER_RECORDS].maxPayloadBytes).toBe(16_009);
    const decoded = decodePeersFrame(PEER_RECORDS, payload);
    expect(decoded.ok && decoded.value.kind === 'records' && decoded.value.records.map((item) => item.record)).toEqual(records);
  });

  it('reject bad counts, trailing bytes and a bad record by index', async () => {
    const one = encodePeerRecords('main', [await full(1)]);
    expect(decodePeersFrame(PEER_RECORDS, new Uint8Array())).toMatchObject({ ok: false, reason: 'truncated' });
    expect(decodePeersFrame(PEER_RECORDS, Uint8Array.of(0))).toMatchObject({ ok: false, detail: /count 0/ });
    expect(decodePeersFrame(PEER_RECORDS, Uint8Array.of(25))).toMatchObject({ ok: false, detail: /count 25/ });
    expect(decodePeersFrame(PEER_RECORDS, Uint8Array.of(2, ...one.subarray(1)))).toMatchObject({ ok: false, reason: 'truncated', detail: /record 1/ });
    expect(decodePeersFrame(PEER_RECORDS, Uint8Array.of(...one, 0))).toMatchObject({ ok: false, reason: 'trailing-bytes' });
    const badVersion = one.slice();
    badVersion[1] = 9;
    expect(decodePeersFrame(PEER_RECORDS, badVersion)).toMatchObject({ ok: false, reason: 'bad-version', detail: /record 0/ });
    expect(() => encodePeerRecords('main', [])).toThrow(RangeError);
  });

  it('GET_PEERS wants 1..24', () => {
    expect(decodePeersFrame(GET_PEERS, encodeGetPeers(24))).toEqual({ ok: true, value: { kind: 'getPeers', want: 24 } });
    expect(decodePeersFrame(GET_PEERS, Uint8Array.of(0))).toMatchObject({ ok: false, detail: /want 0/ });
    expect(decodePeersFrame(GET_PEERS, Uint8Array.of(1, 1))).toMatchObject({ ok: false, detail: /2 bytes/ });
    expect(() => encodeGetPeers(25)).toThrow(RangeError);
  });

  it('MESH_SIGNAL carries 1..3 hops and a well-formed envelope', async () => {
    const signer = await testSigner(1);
    const hex = await sealSignal('main', signer, 'ab'.repeat(32), '{"type":"offer","sdp":"x"}', T0);
    const decoded = decodePeersFrame(MESH_SIGNAL, encodeMeshSignal(3, fromHex(hex)!));
    expect(decoded.ok && decoded.value.kind === 'signal' && [decoded.value.hops, decoded.value.envelopeHex, decoded.value.envelope.from]).toEqual([3, hex, signer.peerId]);
    expect(decodePeersFrame(MESH_SIGNAL, Uint8Array.of(4, ...fromHex(hex)!))).toMatchObject({ ok: false, detail: /hops 4/ });
    expect(decodePeersFrame(MESH_SIGNAL, Uint8Array.of(2, ...fromHex(hex)!.subarray(1)))).toMatchObject({ ok: false, detail: /envelope/ });
    expect(decodePeersFrame(MESH_SIGNAL, new Uint8Array())).toMatchObject({ ok: false, reason: 'truncated' });
    expect(decodePeersFrame(0x13, new Uint8Array())).toMatchObject({ ok: false, reason: 'unknown-type' });
    expect(() => encodeMeshSignal(0, new Uint8Array())).toThrow(RangeError);
  });
});
