/**
 * The page's entry: create the store, start the peer (which pushes state into
 * the store and exposes window.tabmesh), and render the view.
 */
import { startTabmesh } from './app.ts';
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
// The view is a chunk of its own: evaluating React and the panels together with the peer's code made the
// page's first task its longest on a slow machine (docs/PERFORMANCE.md, section 6). The peer runs either way.
import('./ui/render-app.tsx').then(({ renderApp }) => renderApp(root, store, api)).catch((error: unknown) => {
  root.textContent = `The page's view could not be loaded (${error instanceof Error ? error.message : String(error)}). Reload the page to try again; this tab's peer is still running.`;
});
