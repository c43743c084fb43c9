import { describe, expect, it } from 'vitest';
import { selectInboundToEvict, type EvictionCandidate } from './inbound-eviction.ts';

/** Nine inbound peers p0..p8 connected 1 s apart (p8 the youngest), none with any service. */
const nine = (): EvictionCandidate[] => Array.from({ length: 9 }, (_, i) => ({ id: `p${i}`, connectedAtMs: i * 1_000 }));
const withPeer = (list: EvictionCandidate[], id: string, fields: Partial<EvictionCandidate>) => list.map((c) => (c.id === id ? { ...c, ...fields } : c));

describe('inbound eviction (Bitcoin Core SelectNodeToEvict, scaled to 9 slots)', () => {
  it('with no peer useful, evicts the youngest', () => {
    expect(selectInboundToEvict(nine())).toBe('p8');
  });

  it('protects the 2 most recent novel-transaction relayers, then evicts the youngest of the rest', () => {
    let list = withPeer(nine(), 'p8', { lastNovelTxAtMs: 10 });
    list = withPeer(list, 'p7', { lastNovelTxAtMs: 20 });
    expect(selectInboundToEvict(list)).toBe('p6');
    // A third relayer older in its relaying than the two is not protected by it.
    list = withPeer(list, 'p6', { lastNovelTxAtMs: 5 });
    expect(selectInboundToEvict(list)).toBe('p6');
    list = withPeer(list, 'p6', { lastNovelTxAtMs: 30 });
    expect(selectInboundToEvict(list)).toBe('p8'); // p6 (30) and p7 (20) now hold the two places
  });

  it('protects recent novel-block relayers and the lowest RTTs apart from the transaction relayers', () => {
    let list = withPeer(nine(), 'p8', { lastNovelBlockAtMs: 1 });
    list = withPeer(list, 'p7', { rttMs: 5 });
    list = withPeer(list, 'p6', { rttMs: 9 });
    list = withPeer(list, 'p5', { rttMs: 300 });
    expect(selectInboundToEvict(list)).toBe('p5');
    list = withPeer(list, 'p4', { rttMs: 1 });
    expect(selectInboundToEvict(list)).toBe('p6'); // p4 and p7 are now the two lowest
  });

  it('protects the older half of what is left, so a handful of peers is never evicted', () => {
    // 9 unprotected: the 4 oldest are kept, the youngest of the other 5 goes; 1 peer: none is kept, it goes.
    expect(selectInboundToEvict(nine().slice(0, 1))).toBe('p0');
    // Every peer protected by service: nothing to evict.
    const served: EvictionCandidate[] = [
      { id: 'a', connectedAtMs: 5, lastNovelTxAtMs: 1 }, { id: 'b', connectedAtMs: 6, lastNovelBlockAtMs: 1 }, { id: 'c', connectedAtMs: 7, rttMs: 3 },
    ];
    expect(selectInboundToEvict(served)).toBeUndefined();
    // Two left after service: the older is kept by age, the younger goes.
    expect(selectInboundToEvict([...served, { id: 'd', connectedAtMs: 1 }, { id: 'e', connectedAtMs: 2 }])).toBe('e');
    expect(selectInboundToEvict([])).toBeUndefined();
  });

  it('tunes the protected classes (byTx 0: a recent relayer is not protected)', () => {
    const list = withPeer(nine(), 'p8', { lastNovelTxAtMs: 10 });
    expect(selectInboundToEvict(list)).toBe('p7');
    expect(selectInboundToEvict(list, { byTx: 0 })).toBe('p8');
  });
});
