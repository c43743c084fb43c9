/**
 * React access to the vanilla store: AppView provides it through context and
 * components select the slice they render (zustand's `useStore`).
 */
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { TabmeshState, TabmeshStore } from './store.ts';

type StoreView = Pick<StoreApi<TabmeshState>, 'getState' | 'getInitialState' | 'subscribe'>;

/** If no animation frame comes (a hidden tab), the view still catches up this often. */
const HIDDEN_FLUSH_MS = 250;
const frameViews = new WeakMap<TabmeshStore, StoreView>();

/**
 * The store as React sees it: a snapshot taken once per animation frame.
 * The node writes to the store for every transaction, block and arrival (at
 * 100 tx/s, hundreds of writes a second); components re-render at most once
 * per frame with everything written since, instead of once per write.
 */
function frameView(store: TabmeshStore): StoreView {
  const existing = frameViews.get(store);
  if (existing) return existing;
  let snapshot = store.getState();
  const listeners = new Set<(state: TabmeshState, previous: TabmeshState) => void>();
  let scheduled = false;
  const publish = () => {
    if (!scheduled) return;
    scheduled = false;
    const previous = snapshot;
    snapshot = store.getState();
    if (snapshot !== previous) for (const listener of listeners) listener(snapshot, previous);
  };
  store.subscribe(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(publish);
    setTimeout(publish, HIDDEN_FLUSH_MS);
  });
  const view: StoreView = {
    getState: () => snapshot,
    getInitialState: () => store.getInitialState(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  frameViews.set(store, view);
  return view;
}

export const TabmeshStoreContext = createContext<TabmeshStore | undefined>(undefined);

/** The page's store itself, for components that subscribe outside React's render (the graph's animation). */
export function useTabmeshStore(): TabmeshStore {
  const store = useContext(TabmeshStoreContext);
  if (!store) throw new Error('useTabmesh must be used inside <AppView>, which provides the store');
  return store;
}

/**
 * Selects from the page's store and re-renders when the selection changes,
 * at most once per animation frame (frameView). Selectors must return stable
 * references (a state field, not a new array).
 */
export function useTabmesh<T>(selector: (state: TabmeshState) => T): T {
  return useStore(frameView(useTabmeshStore()), selector);
}

/**
 * Like useTabmesh, but re-renders at most once per `intervalMs`: for lists that
 * change with every transaction (100 a second at full load), where redrawing
 * four times a second reads as live and costs a fraction. The first change
 * after a quiet spell shows at once (on the next macrotask).
 */
export function useThrottledTabmesh<T>(selector: (state: TabmeshState) => T, intervalMs: number): T {
  const store = useTabmeshStore();
  const selectorRef = useRef(selector);
  selectorRef.current = selector;
  const [value, setValue] = useState(() => selector(store.getState()));
  useEffect(() => {
    let last = selectorRef.current(store.getState());
    setValue(() => last);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let flushedAtMs = -Infinity;
    const flush = () => {
      timer = undefined;
      flushedAtMs = performance.now();
      const next = last;
      setValue(() => next);
    };
    const unsubscribe = store.subscribe((state) => {
      const next = selectorRef.current(state);
      if (Object.is(next, last)) return;
      last = next;
      if (timer === undefined) timer = setTimeout(flush, Math.max(0, flushedAtMs + intervalMs - performance.now()));
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [store, intervalMs]);
  return value;
}
