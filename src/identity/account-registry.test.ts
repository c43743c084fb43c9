import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/result.ts';
import { createAccountRegistry, createMemoryStorage } from './account-registry.ts';

const A = 'aa'.repeat(32);
const B = 'bb'.repeat(32);
const C = 'cc'.repeat(32);

function setup(network = 'main') {
  let now = 1_000;
  const storage = createMemoryStorage();
  const clock = { nowMs: () => now };
  const registry = createAccountRegistry({ storage, clock }, { network });
  return { storage, registry, advance: (ms: number) => (now += ms), reopen: (net = network) => createAccountRegistry({ storage, clock }, { network: net }) };
}

describe('account registry', () => {
  it('lists accounts most recently used first, and a touch moves one to the front', () => {
    const { registry, advance, reopen } = setup();
    registry.add(A);
    advance(10);
    registry.add(B, { label: 'Savings' });
    expect(registry.list().map((r) => r.id)).toEqual([B, A]);
    advance(10);
    registry.touch(A);
    expect(reopen().list().map((r) => [r.id, r.label, r.lastUsedAt])).toEqual([[A, 'Account 1', 1_020], [B, 'Savings', 1_010]]);
  });

  it('keeps networks apart, and an id added twice keeps its first record', () => {
    const { registry, reopen } = setup();
    registry.add(A, { label: 'First' });
    registry.add(A, { label: 'Second' });
    expect(registry.get(A)?.label).toBe('First');
    expect(reopen('test').list()).toEqual([]);
  });

  it('labels (trimmed, 1-64 characters) and removes accounts', () => {
    const { registry } = setup();
    registry.add(A);
    registry.setLabel(A, '  Spending  ');
    expect(registry.get(A)?.label).toBe('Spending');
    expect(() => registry.setLabel(A, '   ')).toThrow(InvalidArgumentError);
    expect(() => registry.setLabel(A, 'x'.repeat(65))).toThrow(InvalidArgumentError);
    expect(() => registry.setLabel(B, 'nobody')).toThrow(/no account/);
    registry.remove(A);
    expect(registry.list()).toEqual([]);
  });

  it('adopts only unlisted ids, behind every account used since', () => {
    const { registry } = setup();
    registry.add(A);
    expect(registry.adopt([A, B, C])).toEqual([B, C]);
    expect(registry.adopt([B])).toEqual([]);
    const listed = registry.list();
    expect(listed[0]!.id).toBe(A);
    expect(listed.slice(1).map((r) => [r.label, r.lastUsedAt])).toEqual([[`Recovered ${B.slice(0, 8)}`, 0], [`Recovered ${C.slice(0, 8)}`, 0]]);
  });

  it('ignores entries it did not write: bad JSON, bad shape, bad ids', () => {
    const { registry, storage } = setup();
    storage.setItem(`tabmesh:account:main:${A}`, '{not json');
    storage.setItem(`tabmesh:account:main:${B}`, '{"label":3}');
    storage.setItem('tabmesh:account:main:xyz', '{"label":"x","createdAt":1,"lastUsedAt":1}');
    expect(registry.list()).toEqual([]);
    expect(registry.adopt([A])).toEqual([A]);
    expect(() => registry.add('nothex')).toThrow(InvalidArgumentError);
  });
});
