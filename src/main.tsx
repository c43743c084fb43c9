/**
 * The page's entry: create the store, start the peer (which pushes state into
 * the store and exposes window.tabmesh), and render the view.
 */
import { createRoot } from 'react-dom/client';
import { startTabmesh } from './app.ts';
import { createPageLogger } from './app/page-logger.ts';
import { registerShellWorker } from './app/register-sw.ts';
import { AccountActionsContext } from './ui/account-switcher.tsx';
import { AppView } from './ui/app-view.tsx';
import { createTabmeshStore, type TabmeshStore } from './ui/store.ts';

declare global {
  interface Window {
    /** The page store, for poking at the UI in development; never set in a production build. */
    __tabmeshStore?: TabmeshStore;
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain <div id="root">');

const store = createTabmeshStore();
if (import.meta.env.DEV) window.__tabmeshStore = store;
const api = startTabmesh(store);
const wallet = { onBump: (id: string, fee: number) => api.bump(id, fee), onCancel: (id: string) => api.cancel(id) };
createRoot(root).render(
  <AccountActionsContext.Provider value={api}>
    <AppView store={store} onSend={(to, amount, fee) => api.send(to, amount, fee)} onSetMining={(on) => api.setMining(on)} onTraceTx={async (id) => void (await api.trace(id))} wallet={wallet} />
  </AccountActionsContext.Provider>,
);

// The app shell's service worker (docs/ARCHITECTURE.md, "The app shell"), registered after `load` so its
// precache downloads do not compete with the page's own first load.
const registerShell = () =>
  void registerShellWorker(
    {
      serviceWorker: 'serviceWorker' in navigator ? navigator.serviceWorker : undefined,
      isSecureContext: window.isSecureContext,
      log: createPageLogger((level, message) => store.getState().log(level, message)),
      // "Reload to update" (ui/update-notice.tsx); the page reloads only after the user's click activated the worker.
      onUpdateWaiting: (activate) => store.getState().offerWaitingWorker(activate),
      reload: () => window.location.reload(),
    },
    { enabled: import.meta.env.PROD },
  );
if (document.readyState === 'complete') registerShell();
else window.addEventListener('load', registerShell, { once: true });
