import { describe, expect, it } from 'vitest';
import { createTabmeshStore } from './store.ts';
import type { DeploymentView } from './ledger-slices.ts';

const minfee2 = (patch: Partial<DeploymentView> = {}): DeploymentView => ({ name: 'minfee2', bit: 0, state: 'STARTED', window: 8, threshold: 6, elapsed: 3, count: 2, share: 2 / 3, ...patch });

describe('deployments in the store', () => {
  it('start empty, take the ledger list, and leave the state alone when a poll brings the same list', () => {
    const store = createTabmeshStore();
    expect(store.getState().deployments).toEqual([]);
    store.getState().setDeployments([{ ...minfee2(), startHeight: 0, timeoutHeight: 800, possible: true } as DeploymentView]);
    const first = store.getState().deployments;
    expect(first).toEqual([minfee2()]); // only the fields the page shows are kept
    store.getState().setDeployments([minfee2()]);
    expect(store.getState().deployments).toBe(first);
    store.getState().setDeployments([minfee2({ elapsed: 4, count: 3, share: 0.75 })]);
    expect(store.getState().deployments).toEqual([minfee2({ elapsed: 4, count: 3, share: 0.75 })]);
    store.getState().setDeployments([]);
    expect(store.getState().deployments).toEqual([]);
  });
});
