import { describe, expect, it } from 'vitest';
import { remoteGroupOf } from './simple-peer-link.ts';

/** A stats report as browsers give it: a map of entries by id (the shape Chromium and Firefox share). */
function report(remote: Record<string, unknown>, transport = true) {
  const entries: Record<string, unknown>[] = [
    { id: 'T1', type: 'transport', ...(transport ? { selectedCandidatePairId: 'CP1' } : {}) },
    { id: 'CP0', type: 'candidate-pair', remoteCandidateId: 'RC0', state: 'failed' },
    { id: 'CP1', type: 'candidate-pair', remoteCandidateId: 'RC1', nominated: true, state: 'succeeded' },
    { id: 'RC0', type: 'remote-candidate', candidateType: 'host', address: '198.51.100.9' },
    { id: 'RC1', type: 'remote-candidate', ...remote },
  ];
  return { getStats: async () => new Map(entries.map((entry) => [entry.id as string, entry])) as unknown as RTCStatsReport };
}

describe('remoteGroupOf: the far end of the selected candidate pair', () => {
  it('is the /16 of a server-reflexive or host candidate with a public address', async () => {
    expect(await remoteGroupOf(report({ candidateType: 'srflx', address: '203.0.113.50' }))).toBe('ip4:203.0');
    expect(await remoteGroupOf(report({ candidateType: 'host', ip: '2001:db8::7' }))).toBe('ip6:2001:db8');
  });

  it('finds the pair without a transport entry (nominated and succeeded), as older Firefox reports it', async () => {
    expect(await remoteGroupOf(report({ candidateType: 'prflx', address: '203.0.113.50' }, false))).toBe('ip4:203.0');
  });

  it('has none for a TURN relay, a loopback or private address, or an mDNS name', async () => {
    expect(await remoteGroupOf(report({ candidateType: 'relay', address: '203.0.113.50' }))).toBeUndefined();
    expect(await remoteGroupOf(report({ candidateType: 'host', address: '127.0.0.1' }))).toBeUndefined();
    expect(await remoteGroupOf(report({ candidateType: 'host', address: '192.168.4.2' }))).toBeUndefined();
    expect(await remoteGroupOf(report({ candidateType: 'host', address: '0b5c6f0e-1111-4a4a-9d9d-2f2f2f2f2f2f.local' }))).toBeUndefined();
  });
});
