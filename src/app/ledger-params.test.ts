import { describe, expect, it } from 'vitest';
import { MINFEE2, TEST_PARAMS } from '../core/ledger/params.ts';
import { ledgerParamsFor } from './ledger-params.ts';

describe('ledgerParamsFor', () => {
  it('keeps the network\'s own parameters for the current build on its schedule', () => {
    expect(ledgerParamsFor({ network: 'test-a', knowsDeployments: true })).toBeUndefined();
  });

  it('gives the previous build no deployments, whatever the schedule asked', () => {
    expect(ledgerParamsFor({ network: 'test-a', knowsDeployments: false, deploymentsFromHeight: 0 })).toEqual({ deployments: [] });
  });

  it('moves every known deployment to start at the asked height, keeping its window, threshold and span', () => {
    const known = TEST_PARAMS.deployments.find((deployment) => deployment.name === MINFEE2)!;
    const moved = ledgerParamsFor({ network: 'test-a', knowsDeployments: true, deploymentsFromHeight: 16 })!.deployments!.find((deployment) => deployment.name === MINFEE2)!;
    expect(moved).toEqual({ ...known, startHeight: 16, timeoutHeight: 16 + known.timeoutHeight - known.startHeight });
  });
});
