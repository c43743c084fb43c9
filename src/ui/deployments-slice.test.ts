import { describe, expect, it } from 'vitest';
import { createTabmeshStore } from './store.ts';
import type { DeploymentView } from './ledger-slices.ts';

const minfee2 = (patch: Partial<DeploymentView> = {}): DeploymentView => ({ name: 'minfee2', bit: 0, state: 'STARTED', window: 8, threshold: 6, elapsed: 3, count: 2, share: 2 / 3, ...patch });

describe('deployments in the store', () => {
  it('start empty, take the ledger list, and leave the state alone when a poll brings the same list', () => {
    const store = createTabmeshStore();
    expect(store.getState().deployments).toEqual([]);
    expect(store.getState().nextBlockMinFee).toBeUndefined();
    store.getState().setDeployments([{ ...minfee2(), startHeight: 0, timeoutHeight: 800, possible: true } as DeploymentView], 1);
    const first = store.getState();
    expect(first.deployments).toEqual([minfee2()]); // only the fields the page shows are kept
    store.getState().setDeployments([minfee2()], 1);
    expect(store.getState()).toBe(first);
    store.getState().setDeployments([minfee2({ elapsed: 4, count: 3, share: 0.75 })], 1);
    expect(store.getState().deployments).toEqual([minfee2({ elapsed: 4, count: 3, share: 0.75 })]);
    store.getState().setDeployments([minfee2({ state: 'ACTIVE', elapsed: 0, count: 0, share: 0 })], 2);
    expect(store.getState()).toMatchObject({ deployments: [{ state: 'ACTIVE' }], nextBlockMinFee: 2 });
    store.getState().setDeployments([], 1);
    expect(store.getState()).toMatchObject({ deployments: [], nextBlockMinFee: 1 });
  });
});
