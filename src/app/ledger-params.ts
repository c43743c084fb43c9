/**
 * The ledger parameters a page runs with, when they differ from its
 * network's (core/ledger/params.ts): a build that predates the deployments
 * (build-profile.ts, `knowsDeployments`) runs without them, and a test
 * network's page may move their schedules (config.ts, ?deployments-from=).
 * undefined: the network's own parameters, as every production page has.
 */
import { chainParams, withoutDeployments, type ChainParams } from '../core/ledger/params.ts';

export interface LedgerParamsInit {
  network: string;
  /** build-profile.ts: false for the previous build, which follows the chain without knowing any deployment. */
  knowsDeployments: boolean;
  /** config.ts: each known deployment starts at this height, its window, threshold and span to timeout kept. */
  deploymentsFromHeight?: number;
}

export function ledgerParamsFor(init: LedgerParamsInit): Partial<ChainParams> | undefined {
  const { deployments } = chainParams(init.network);
  if (!init.knowsDeployments) return { deployments: withoutDeployments(deployments) };
  const from = init.deploymentsFromHeight;
  if (from === undefined) return undefined;
  return {
    deployments: deployments.map((deployment) => ({ ...deployment, startHeight: from, timeoutHeight: from + (deployment.timeoutHeight - deployment.startHeight) })),
  };
}
