/**
 * Renders the page's view into `root`. A module of its own so that main.tsx
 * can load it as a separate chunk: React and the panels are then evaluated
 * in a later task than the peer's code (docs/PERFORMANCE.md, section 6).
 */
import { createRoot } from 'react-dom/client';
import type { TabmeshApi } from '../app/tabmesh-api.ts';
import { AppView } from './app-view.tsx';
import type { TabmeshStore } from './store.ts';

export function renderApp(root: HTMLElement, store: TabmeshStore, api: TabmeshApi): void {
  createRoot(root).render(<AppView store={store} onSend={(to, amount, fee) => api.send(to, amount, fee)} onSetMining={(on) => api.setMining(on)} onTraceTx={async (id) => void (await api.trace(id))} />);
}
