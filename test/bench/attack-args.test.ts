import { describe, expect, it } from 'vitest';
import { AttackArgsError, parseAttackArgs } from '../../bench/lib/attack-args.ts';

describe('bench:attack arguments', () => {
  it('defaults to 1,000 honest tabs against 1,000 and 10,000 ids, 30 s window, relay up, both arms, hosts not serving', () => {
    expect(parseAttackArgs([])).toEqual({
      honest: 1000, sybilCounts: [1000, 10000], seeds: [1], windowMs: 30000, hosts: 4, out: undefined,
      relay: true, arms: [true, false], serve: false,
    });
  });

  it('reads every position', () => {
    expect(parseAttackArgs(['100', '1000', '1,2,3', '10000', '2', '/tmp/a.json', 'off', 'off', 'yes'])).toEqual({
      honest: 100, sybilCounts: [1000], seeds: [1, 2, 3], windowMs: 10000, hosts: 2, out: '/tmp/a.json',
      relay: false, arms: [false], serve: true,
    });
  });

  it.each([
    [['abc'], 'honest must be one integer of at least 1; got "abc"'],
    [['0'], 'honest must be'],
    [['100', '1000,'], 'sybils must be integers'],
    [['100', '1000', '1', '30s'], 'windowMs must be'],
    [['100', '1000', '1', '30000', '4', 'out.json', 'of'], 'relay must be on or off; got "of"'],
    [['100', '1000', '1', '30000', '4', 'out.json', 'on', 'on,maybe'], 'defences must be on or off; got "maybe"'],
    [['100', '1000', '1', '30000', '4', 'out.json', 'on', 'on', 'true'], 'hosts-serve must be no or yes; got "true"'],
    [['1', '1', '1', '1', '1', 'o', 'on', 'on', 'no', 'extra'], 'at most 9 arguments; got 10'],
  ])('refuses %j with one line: %s', (args, message) => {
    expect(() => parseAttackArgs(args)).toThrow(AttackArgsError);
    expect(() => parseAttackArgs(args)).toThrow(message);
    try {
      parseAttackArgs(args);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
