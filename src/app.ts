/**
 * Starts this tab's peer and exposes it as `window.tabmesh`. The page store
 * receives every state change; startup failures become a page-level error.
 */
import { ConfigError, readConfig } from './app/config.ts';
import { createPageLogger } from './app/page-logger.ts';
import { startPeer } from './app/start-peer.ts';
import { BUILD_PROFILE } from './app/build-profile.ts';
import { ledgerParamsFor } from './app/ledger-params.ts';
import { createTabmeshApi, type TabmeshApi } from './app/tabmesh-api.ts';
import { createAccountsApi, type AccountsApi } from './app/accounts-api.ts';
import { DEFAULT_NETWORK } from './core/network.ts';
import type { TabmeshStore } from './ui/store.ts';
import { createTaskScheduler } from './runtime/macrotask.ts';

export type { TabmeshApi } from './app/tabmesh-api.ts';

declare global {
  interface Window {
    tabmesh: TabmeshApi & AccountsApi;
  }
}

const nextTask = createTaskScheduler();

export function startTabmesh(ui: TabmeshStore): TabmeshApi & AccountsApi {
  const log = createPageLogger((level, message) => ui.getState().log(level, message));
  let network = DEFAULT_NETWORK;
  const starting = (async () => {
    // The peer starts in a task of its own: together with evaluating the page's modules, its start
    // (workers, IndexedDB, identity) made the page's first task one of 50 ms or more (docs/PERFORMANCE.md, "Responsiveness").
    await new Promise<void>((resolve) => nextTask(resolve));
    const config = readConfig(window.location);
    network = config.network;
    const peer = await startPeer(config, ui, log, ledgerParamsFor({ network, knowsDeployments: BUILD_PROFILE.knowsDeployments, deploymentsFromHeight: config.deploymentsFromHeight }));
    ui.getState().setSelf(peer.id, config.network);
    ui.getState().setPhase('ready');
    window.addEventListener('pagehide', () => peer.stop());
    return peer;
  })();
  starting.catch((error: unknown) => {
    const message = error instanceof ConfigError ? error.message : `tabmesh could not start: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    ui.getState().log('error', message);
    ui.getState().setPhase('failed', message);
  });
  const apiNetwork = new URLSearchParams(window.location.search).get('net') ?? network;
  // The accounts methods (accounts-api.ts) join the scripting API; a switch reloads the page.
  const tabmesh = createTabmeshApi(apiNetwork, starting, () => ui.getState().update);
  const wallet = {
    balance: () => tabmesh.balance(),
    send: (to: string, amount: number, fee: number) => tabmesh.send(to, amount, fee),
    minFee: () => starting.then((peer) => peer.ledger.nextBlockParams().minFee),
  };
  const accounts = createAccountsApi({ currentId: () => starting.then((peer) => peer.id), reload: () => window.location.reload(), wallet }, { network: apiNetwork });
  const api = Object.assign(tabmesh, accounts);
  window.tabmesh = api;
  return api;
}
