import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../result.ts';
import { templateVersion } from './block-template.ts';
import { createDeploymentTracker, nextDeploymentState, signalsBit, type ChainPoint, type DeploymentState } from './deployments.ts';
import { TEST_PARAMS, MAIN_PARAMS, MINFEE2, withoutDeployments, type Deployment } from './params.ts';

const DEP: Deployment = { name: MINFEE2, bit: 0, startHeight: 8, timeoutHeight: 40, window: 8, threshold: 6 };
const params = { ...TEST_PARAMS, deployments: [DEP] };

/** A linear chain from genesis (version 1) whose block at height h has version versionAt(h). */
function chain(length: number, versionAt: (height: number) => number, tag = 'a'): ChainPoint[] {
  const points: ChainPoint[] = [];
  for (let height = 0; height < length; height++) {
    points.push({ hash: `${tag}${height}`, height, header: { version: height === 0 ? 1 : versionAt(height) }, parent: points[height - 1] });
  }
  return points;
}

/** The state for the block at each height 1..length-1 (the child of the block below). */
const statesAlong = (points: ChainPoint[], tracker = createDeploymentTracker(params)): DeploymentState[] =>
  points.slice(0, -1).map((parent) => tracker.stateFor(parent, MINFEE2));

describe('version bits', () => {
  it('counts a bit only under the top bits 001 (BIP9)', () => {
    expect(signalsBit(0x21, 0)).toBe(true);
    expect(signalsBit(0x3f, 4)).toBe(true);
    expect(signalsBit(0x20, 0)).toBe(false);
    expect(signalsBit(0x01, 0)).toBe(false); // the genesis version: top bits 000
    expect(signalsBit(0x61, 0)).toBe(false); // top bits 011
    expect(signalsBit(0xe1, 0)).toBe(false);
  });

  it('templates set the bit of STARTED and LOCKED_IN deployments only', () => {
    expect(templateVersion([])).toBe(0x20);
    expect(templateVersion([{ bit: 0, state: 'STARTED' }])).toBe(0x21);
    expect(templateVersion([{ bit: 3, state: 'LOCKED_IN' }, { bit: 1, state: 'STARTED' }])).toBe(0x2a);
    for (const state of ['DEFINED', 'ACTIVE', 'FAILED'] as const) expect(templateVersion([{ bit: 2, state }])).toBe(0x20);
  });
});

describe('state transitions', () => {
  it('follow BIP9, lock-in before timeout', () => {
    expect(nextDeploymentState('DEFINED', DEP, 8, 0)).toBe('DEFINED');
    expect(nextDeploymentState('DEFINED', DEP, 0, 8)).toBe('STARTED');
    expect(nextDeploymentState('DEFINED', DEP, 0, 40)).toBe('FAILED');
    expect(nextDeploymentState('STARTED', DEP, 5, 16)).toBe('STARTED');
    expect(nextDeploymentState('STARTED', DEP, 6, 16)).toBe('LOCKED_IN');
    expect(nextDeploymentState('STARTED', DEP, 6, 40)).toBe('LOCKED_IN');
    expect(nextDeploymentState('STARTED', DEP, 5, 40)).toBe('FAILED');
    expect(nextDeploymentState('LOCKED_IN', DEP, 0, 24)).toBe('ACTIVE');
    expect(nextDeploymentState('ACTIVE', DEP, 0, 99)).toBe('ACTIVE');
    expect(nextDeploymentState('FAILED', DEP, 8, 99)).toBe('FAILED');
  });

  it('activate two windows after a window reaches the threshold', () => {
    const states = statesAlong(chain(34, () => 0x21));
    // Child heights 1..33: window 0 DEFINED, window 1 (8-15) STARTED and signalling, 2 LOCKED_IN, 3 ACTIVE.
    expect(states.slice(0, 7)).toEqual(Array(7).fill('DEFINED'));
    expect(states.slice(7, 15)).toEqual(Array(8).fill('STARTED'));
    expect(states.slice(15, 23)).toEqual(Array(8).fill('LOCKED_IN'));
    expect(states.slice(23)).toEqual(Array(10).fill('ACTIVE'));
  });

  it('ignore signals before STARTED, lock in at exactly the threshold, not one below', () => {
    // Window 0 signals in full (not counted); window 1 has 5 signals, window 2 has 6.
    const signalling = (height: number) => height < 8 || (height >= 8 && height < 13) || (height >= 16 && height < 22);
    const states = statesAlong(chain(33, (h) => (signalling(h) ? 0x21 : 0x20)));
    expect(states[15]).toBe('STARTED'); // height 16: window 1 had 5
    expect(states[23]).toBe('LOCKED_IN'); // height 24: window 2 had 6
    expect(states[31]).toBe('ACTIVE');
  });

  it('start and time out at the first window edge at or after heights off the edges', () => {
    const tracker = createDeploymentTracker({ ...params, deployments: [{ ...DEP, startHeight: 5, timeoutHeight: 17 }] });
    const states = statesAlong(chain(30, () => 0x20), tracker);
    expect(states[6]).toBe('DEFINED'); // height 7
    expect(states[7]).toBe('STARTED'); // height 8: the first window starting at or after 5
    expect(states[15]).toBe('STARTED'); // height 16 < 17
    expect(states[23]).toBe('FAILED'); // height 24: the first window starting at or after 17
  });

  it('fail at the timeout without enough signals, and stay failed', () => {
    const states = statesAlong(chain(60, (h) => (h >= 48 ? 0x21 : 0x20)));
    expect(states[38]).toBe('STARTED'); // height 39
    expect(states[39]).toBe('FAILED'); // height 40 = timeoutHeight
    expect(states.slice(39)).toEqual(Array(20).fill('FAILED'));
  });

  it('count other bits and other top bits as no signal', () => {
    const states = statesAlong(chain(25, () => 0x62));
    expect(states[23]).toBe('STARTED');
  });
});

describe('tracker', () => {
  it('reports the current window: elapsed, count, share, possible', () => {
    const points = chain(20, (h) => (h === 16 || h === 18 ? 0x21 : 0x20));
    const tracker = createDeploymentTracker(params);
    expect(tracker.statusFor(points[15]!)).toEqual([{ ...DEP, state: 'STARTED', elapsed: 0, count: 0, share: 0, possible: true }]);
    expect(tracker.statusFor(points[19]!)).toEqual([{ ...DEP, state: 'STARTED', elapsed: 4, count: 2, share: 0.5, possible: true }]);
    const none = chain(22, () => 0x20);
    expect(tracker.statusFor(none[21]!)[0]).toMatchObject({ elapsed: 6, count: 0, possible: false });
  });

  it('raises minFee to 2 for blocks under an ACTIVE minfee2, and only then', () => {
    const points = chain(34, () => 0x21);
    const tracker = createDeploymentTracker(params);
    expect(tracker.paramsFor(points[22]!).minFee).toBe(1); // height 23: LOCKED_IN
    expect(tracker.paramsFor(points[23]!).minFee).toBe(2); // height 24: ACTIVE
    const unaware = createDeploymentTracker({ ...params, deployments: withoutDeployments(params.deployments) });
    expect(unaware.paramsFor(points[30]!).minFee).toBe(1);
    expect(unaware.statusFor(points[30]!)).toEqual([]);
  });

  it('computes a long chain without recursion and reuses its cache', () => {
    const points = chain(40_001, () => 0x20);
    const tracker = createDeploymentTracker({ ...params, deployments: [{ ...DEP, timeoutHeight: 80_000 }] });
    expect(tracker.stateFor(points[40_000]!, MINFEE2)).toBe('STARTED');
    expect(tracker.stateFor(points[39_999]!, MINFEE2)).toBe('STARTED');
    expect(() => tracker.stateFor(points[1]!, 'unknown')).toThrow(InvalidArgumentError);
  });

  it.each([
    ['bit out of range', { bit: 5 }],
    ['threshold above window', { threshold: 9 }],
    ['zero threshold', { threshold: 0 }],
    ['a negative start', { startHeight: -8 }],
    ['a fractional timeout', { timeoutHeight: 40.5 }],
    ['timeout before start', { startHeight: 16, timeoutHeight: 8 }],
    ['empty name', { name: '' }],
  ])('refuses a deployment with %s', (_, patch) => {
    expect(() => createDeploymentTracker({ ...params, deployments: [{ ...DEP, ...patch }] })).toThrow(InvalidArgumentError);
  });

  it('refuses two deployments on one bit or one name', () => {
    expect(() => createDeploymentTracker({ ...params, deployments: [DEP, { ...DEP, name: 'other' }] })).toThrow(/bit must be a unique/);
    expect(() => createDeploymentTracker({ ...params, deployments: [DEP, { ...DEP, bit: 1 }] })).toThrow(/name must be/);
  });

  it('ships schedules that validate, with minfee2 on both networks', () => {
    for (const network of [MAIN_PARAMS, TEST_PARAMS]) {
      expect(createDeploymentTracker(network).deployments.map((d) => d.name)).toEqual([MINFEE2]);
    }
    expect(MAIN_PARAMS.deployments[0]).toMatchObject({ window: 1008, threshold: 908 });
    expect(TEST_PARAMS.deployments[0]).toMatchObject({ window: 8, threshold: 6 });
    expect(withoutDeployments(TEST_PARAMS.deployments, ['other'])).toEqual(TEST_PARAMS.deployments);
    expect(withoutDeployments(TEST_PARAMS.deployments, [MINFEE2])).toEqual([]);
  });
});
