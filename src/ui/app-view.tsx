/**
 * The whole page. It renders what the store holds and hands the user's
 * requests to `onSend`, `onSetMining` and `onTraceTx`; app.ts owns the
 * running peer and pushes state into the store.
 *
 * Layout: three columns on a wide monitor (you and the charts | the network
 * and the chain | peers, mempool and log), two below 1440 px (the third
 * column under the first), one on a phone, ordered what-you-own-and-do first.
 */
import { BalancesPanel } from './balances-panel.tsx';
import { ChainPanel } from './chain-panel.tsx';
import { ConnectivityBanner } from './connectivity-banner.tsx';
import { UpdateNotice } from './update-notice.tsx';
import { DeploymentsPanel } from './deployments-panel.tsx';
import { DetailDialog } from './detail-dialog.tsx';
import { Header } from './header.tsx';
import { LogPanel } from './log-panel.tsx';
import { MempoolPanel } from './mempool-panel.tsx';
import { MiningPanel, type OnSetMining } from './mining-panel.tsx';
import { NetworkPanel } from './network-panel.tsx';
import { PanelScope } from './panel-scope.tsx';
import { PeersPanel } from './peers-panel.tsx';
import { SendForm, type OnSend } from './send-form.tsx';
import { StatsPanel } from './stats-panel.tsx';
import type { TabmeshStore } from './store.ts';
import type { OnTraceTx } from './tx-trace.tsx';
import { TxsPanel } from './txs-panel.tsx';
import { TabmeshStoreContext, useTabmesh } from './use-tabmesh.ts';
import { WalletPanel } from './wallet-panel.tsx';
import type { WalletActions } from './wallet-replace.tsx';
import './styles.css';

export interface AppViewProps {
  store: TabmeshStore;
  onSend: OnSend;
  /** Switches this tab's miner; when absent the Mining switch is shown disabled. */
  onSetMining?: OnSetMining;
  /** Starts a network-wide trace of a transaction (results come through setTrace); when absent the detail view says tracing is not available. */
  onTraceTx?: OnTraceTx;
  /** Bumps and cancels this account's pending sends; when absent the wallet history offers neither. */
  wallet?: WalletActions;
}

function Body({ onSend, onSetMining, onTraceTx, wallet }: Omit<AppViewProps, 'store'>) {
  const phase = useTabmesh((s) => s.phase);
  const failure = useTabmesh((s) => s.failure);

  if (phase === 'loading') {
    return (
      <main className="state-screen">
        <div role="status" className="loading">
          <span className="spinner" aria-hidden="true" />
          Starting peer…
        </div>
      </main>
    );
  }

  if (phase === 'failed') {
    return (
      <main className="state-screen">
        <div role="alert" className="failure">
          <h2>This peer could not start</h2>
          <p className="failure-message">{failure}</p>
          <p className="muted">Reload the page to try again. The event log below may say more.</p>
        </div>
        <div className="grid grid-single">
          <LogPanel />
        </div>
      </main>
    );
  }

  return (
    <main className="grid">
      <div className="banners">
        <ConnectivityBanner />
        <UpdateNotice />
      </div>
      <div className="column column-side">
        <PanelScope>
          <WalletPanel actions={wallet} />
        </PanelScope>
        <PanelScope>
          <SendForm onSend={onSend} />
        </PanelScope>
        <PanelScope>
          <MiningPanel onSetMining={onSetMining} />
        </PanelScope>
        <PanelScope>
          <DeploymentsPanel />
        </PanelScope>
        <PanelScope>
          <StatsPanel />
        </PanelScope>
      </div>
      <div className="column column-main">
        <PanelScope>
          <NetworkPanel />
        </PanelScope>
        <PanelScope>
          <ChainPanel />
        </PanelScope>
        <PanelScope>
          <TxsPanel />
        </PanelScope>
      </div>
      <div className="column column-aside">
        <PanelScope>
          <PeersPanel />
        </PanelScope>
        <PanelScope>
          <BalancesPanel />
        </PanelScope>
        <PanelScope>
          <MempoolPanel />
        </PanelScope>
        <PanelScope>
          <LogPanel />
        </PanelScope>
      </div>
      <DetailDialog onTraceTx={onTraceTx} />
    </main>
  );
}

export function AppView({ store, onSend, onSetMining, onTraceTx, wallet }: AppViewProps) {
  return (
    <TabmeshStoreContext value={store}>
      <div className="app">
        <Header />
        <Body onSend={onSend} onSetMining={onSetMining} onTraceTx={onTraceTx} wallet={wallet} />
      </div>
    </TabmeshStoreContext>
  );
}
