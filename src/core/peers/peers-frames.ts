/**
 * Frames of the peers module (docs/PROTOCOL.md, "Peer exchange" and
 * "Signaling through the mesh"). The node has already checked the frame
 * version, the size limit below and the HELLO state; these decoders check
 * every field and return a rejection naming it (the node then punishes the
 * sender: a malformed frame is misbehaviour, issue 4 §6).
 *
 *   0x10 PEER_RECORDS  count u8 (1..24) | record × count          ≤ 16,009 bytes
 *   0x11 GET_PEERS     want u8 (1..24)                            = 1 byte
 *   0x12 MESH_SIGNAL   hops u8 (1..3) | signal envelope (rest)    ≤ 8,192 bytes
 */
import { ByteWriter, concatBytes, toHex } from '../bytes.ts';
import { accept, reject, type Result } from '../result.ts';
import { openSignal, type SignalEnvelope } from '../signal-envelope.ts';
import { MAX_RECORD_BYTES, encodePeerRecord, parsePeerRecord, peerRecordLengthAt, type ParsedPeerRecord, type PeerRecord } from './peer-record.ts';

export const PEER_RECORDS = 0x10;
export const GET_PEERS = 0x11;
export const MESH_SIGNAL = 0x12;

/**
 * Records per PEER_RECORDS frame: 24 full records (667 bytes each) are
 * 16,009 bytes, under the 16 KiB data-channel message limit (GUIDE) with the
 * 2-byte frame header.
 */
export const MAX_RECORDS_PER_FRAME = 24;
export const MAX_PEER_RECORDS_PAYLOAD = 1 + MAX_RECORDS_PER_FRAME * MAX_RECORD_BYTES;
/**
 * Links a mesh signal may cross, counting the first. 3 reaches any peer
 * within 3 links, i.e. a neighbour's neighbour's neighbour: in the simulated
 * meshes of degree 6 that covers the peers a tab dials (measured, see
 * docs/PROTOCOL.md), while bounding what a flood can cost (≤ 2 + 4 + 8 sends).
 */
export const MAX_SIGNAL_HOPS = 3;
/**
 * A data-channel offer or answer is about 0.5–1.5 KB of SDP and a trickled
 * candidate about 0.2 KB; 8 KiB is several times the largest while halving
 * the bytes a hostile neighbour can make us forward per token.
 */
export const MAX_MESH_SIGNAL_PAYLOAD = 8 * 1024;

export type PeersMessage =
  | { kind: 'records'; records: ParsedPeerRecord[] }
  | { kind: 'getPeers'; want: number }
  | { kind: 'signal'; hops: number; envelope: SignalEnvelope; envelopeBytes: Uint8Array; envelopeHex: string };

export const PEERS_FRAME_SPECS = {
  [PEER_RECORDS]: { name: 'PEER_RECORDS', maxPayloadBytes: MAX_PEER_RECORDS_PAYLOAD },
  [GET_PEERS]: { name: 'GET_PEERS', maxPayloadBytes: 1 },
  [MESH_SIGNAL]: { name: 'MESH_SIGNAL', maxPayloadBytes: MAX_MESH_SIGNAL_PAYLOAD },
} as const;

export function encodePeerRecords(network: string, records: PeerRecord[]): Uint8Array {
  if (records.length < 1 || records.length > MAX_RECORDS_PER_FRAME) throw new RangeError(`PEER_RECORDS carries 1..${MAX_RECORDS_PER_FRAME} records, got ${records.length}`);
  return concatBytes(Uint8Array.of(records.length), ...records.map((record) => encodePeerRecord(network, record)));
}

export function encodeGetPeers(want: number): Uint8Array {
  if (!Number.isInteger(want) || want < 1 || want > MAX_RECORDS_PER_FRAME) throw new RangeError(`GET_PEERS wants 1..${MAX_RECORDS_PER_FRAME}, got ${want}`);
  return Uint8Array.of(want);
}

export function encodeMeshSignal(hops: number, envelope: Uint8Array): Uint8Array {
  if (!Number.isInteger(hops) || hops < 1 || hops > MAX_SIGNAL_HOPS) throw new RangeError(`MESH_SIGNAL hops must be 1..${MAX_SIGNAL_HOPS}, got ${hops}`);
  return new ByteWriter().u8(hops).bytes(envelope).finish();
}

function decodeRecords(payload: Uint8Array): Result<PeersMessage> {
  if (payload.length < 1) return reject('truncated', 'PEER_RECORDS needs a count');
  const count = payload[0]!;
  if (count < 1 || count > MAX_RECORDS_PER_FRAME) return reject('bad-field', `PEER_RECORDS count ${count}, expected 1..${MAX_RECORDS_PER_FRAME}`);
  const records: ParsedPeerRecord[] = [];
  let offset = 1;
  for (let i = 0; i < count; i++) {
    // Each record's length follows from its neighbour count; parsePeerRecord checks the view strictly
    // (and copies it only if the record is built: ParsedPeerRecord).
    const length = peerRecordLengthAt(payload, offset) ?? payload.length - offset;
    const parsed = parsePeerRecord(payload.subarray(offset, offset + length));
    if (!parsed.ok) return reject(parsed.reason, `PEER_RECORDS record ${i}: ${parsed.detail}`);
    records.push(parsed.value);
    offset += length;
  }
  if (offset !== payload.length) return reject('trailing-bytes', `PEER_RECORDS has ${payload.length - offset} extra bytes`);
  return accept({ kind: 'records', records });
}

/** Decodes a payload of one of the frame types above. */
export function decodePeersFrame(type: number, payload: Uint8Array): Result<PeersMessage> {
  switch (type) {
    case PEER_RECORDS:
      return decodeRecords(payload);
    case GET_PEERS: {
      if (payload.length !== 1) return reject('bad-field', `GET_PEERS payload is ${payload.length} bytes, expected 1`);
      const want = payload[0]!;
      if (want < 1 || want > MAX_RECORDS_PER_FRAME) return reject('bad-field', `GET_PEERS want ${want}, expected 1..${MAX_RECORDS_PER_FRAME}`);
      return accept({ kind: 'getPeers', want });
    }
    case MESH_SIGNAL: {
      if (payload.length < 1) return reject('truncated', 'MESH_SIGNAL needs a hop count');
      const hops = payload[0]!;
      if (hops < 1 || hops > MAX_SIGNAL_HOPS) return reject('bad-field', `MESH_SIGNAL hops ${hops}, expected 1..${MAX_SIGNAL_HOPS}`);
      const envelopeBytes = payload.slice(1);
      const envelopeHex = toHex(envelopeBytes);
      const opened = openSignal(envelopeHex);
      if (!opened.ok) return reject(opened.reason, `MESH_SIGNAL envelope: ${opened.detail}`);
      return accept({ kind: 'signal', hops, envelope: opened.value, envelopeBytes, envelopeHex });
    }
    default:
      return reject('unknown-type', `frame type 0x${type.toString(16)} is not a peers frame`);
  }
}
