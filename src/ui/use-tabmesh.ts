/**
 * React access to the vanilla store: AppView provides it through context and
 * components select the slice they render (zustand's `useStore`).
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { TabmeshState, TabmeshStore } from './store.ts';

export const TabmeshStoreContext = createContext<TabmeshStore | undefined>(undefined);

/**
 * Selects from the page's store and re-renders when the selection changes.
 * Selectors must return stable references (a state field, not a new array).
 */
export function useTabmesh<T>(selector: (state: TabmeshState) => T): T {
  const store = useContext(TabmeshStoreContext);
  if (!store) throw new Error('useTabmesh must be used inside <AppView>, which provides the store');
  return useStore(store, selector);
}
