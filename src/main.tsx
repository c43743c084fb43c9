/**
 * The page's entry: create the store, start the peer (which pushes state into
 * the store and exposes window.tabmesh), and render the view.
 */
import { createRoot } from 'react-dom/client';
import { startTabmesh, type TabmeshApi } from './app.ts';
import { AppView } from './ui/app-view.tsx';
import type { OnSetMining } from './ui/mining-panel.tsx';
import { createTabmeshStore, type TabmeshStore } from './ui/store.ts';

declare global {
  interface Window {
    /** The page store, for poking at the UI in development; never set in a production build. */
    __tabmeshStore?: TabmeshStore;
  }
}

/**
 * The API's mining switch, if this build has one. `setMining` is joining the
 * API (issue 3); reading it through a loose view keeps this file compiling
 * before and after it lands, and leaves the switch disabled until then.
 */
function miningSwitch(api: TabmeshApi): OnSetMining | undefined {
  const setMining: unknown = (api as Partial<Record<'setMining', unknown>>).setMining;
  return typeof setMining === 'function' ? (on) => setMining.call(api, on) : undefined;
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain <div id="root">');

const store = createTabmeshStore();
if (import.meta.env.DEV) window.__tabmeshStore = store;
const api = startTabmesh(store);
createRoot(root).render(<AppView store={store} onSend={(to, amount, fee) => api.send(to, amount, fee)} onSetMining={miningSwitch(api)} onTraceTx={async (id) => void (await api.trace(id))} />);
