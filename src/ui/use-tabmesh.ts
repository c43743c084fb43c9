/**
 * React access to the vanilla store: AppView provides it through context and
 * components select the slice they render (zustand's `useStore`).
 */
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { TabmeshState, TabmeshStore } from './store.ts';

export const TabmeshStoreContext = createContext<TabmeshStore | undefined>(undefined);

/** The page's store itself, for components that subscribe outside React's render (the graph's animation). */
export function useTabmeshStore(): TabmeshStore {
  const store = useContext(TabmeshStoreContext);
  if (!store) throw new Error('useTabmesh must be used inside <AppView>, which provides the store');
  return store;
}

/**
 * Selects from the page's store and re-renders when the selection changes.
 * Selectors must return stable references (a state field, not a new array).
 */
export function useTabmesh<T>(selector: (state: TabmeshState) => T): T {
  return useStore(useTabmeshStore(), selector);
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
