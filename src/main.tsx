/**
 * The page's entry: create the store, start the peer (which pushes state into
 * the store and exposes window.tabmesh), and render the view.
 */
import { createRoot } from 'react-dom/client';
import { startTabmesh } from './app.ts';
import { AppView } from './ui/app-view.tsx';
import { createTabmeshStore } from './ui/store.ts';

const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain <div id="root">');

const store = createTabmeshStore();
const api = startTabmesh(store);
createRoot(root).render(<AppView store={store} onSend={(to, amount, fee) => api.send(to, amount, fee)} />);
