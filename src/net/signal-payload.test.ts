import { describe, expect, it } from 'vitest';
import { parseSignalPayload } from './signal-payload.ts';

const candidate = (fields: Record<string, unknown>) => JSON.stringify({ type: 'candidate', candidate: fields });
const host = 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host';

describe('parseSignalPayload', () => {
  it('accepts offers, answers and candidates as browsers send them', () => {
    expect(parseSignalPayload(JSON.stringify({ type: 'offer', sdp: 'v=0' })).ok).toBe(true);
    expect(parseSignalPayload(candidate({ candidate: host, sdpMid: '0', sdpMLineIndex: 0 })).ok).toBe(true);
    expect(parseSignalPayload(candidate({ candidate: '', sdpMid: null, sdpMLineIndex: null })).ok).toBe(true);
    expect(parseSignalPayload(candidate({ candidate: host })).ok).toBe(true);
  });

  it('refuses a candidate RTCIceCandidate would throw on, with the field named', () => {
    const cases: [Record<string, unknown> | unknown[], string][] = [
      [{ sdpMid: '0' }, 'candidate.candidate must be a string'],
      [{ candidate: 7 }, 'candidate.candidate must be a string'],
      [{ candidate: host, sdpMid: 3 }, 'candidate.sdpMid must be a string or null'],
      [{ candidate: host, sdpMLineIndex: -1 }, 'candidate.sdpMLineIndex must be an integer from 0 to 65535 or null'],
      [{ candidate: host, sdpMLineIndex: 1.5 }, 'candidate.sdpMLineIndex must be an integer from 0 to 65535 or null'],
      [[host], 'candidate needs a candidate object'],
    ];
    for (const [fields, detail] of cases) {
      const parsed = parseSignalPayload(JSON.stringify({ type: 'candidate', candidate: fields }));
      expect(parsed.ok ? 'accepted' : parsed.detail, JSON.stringify(fields)).toBe(detail);
    }
  });
});
