/**
 * React access to the vanilla store: AppView provides it through context and
 * components select the slice they render (useTabmesh, below).
 */
import { createContext, startTransition, useContext, useEffect, useLayoutEffect, useReducer, useRef, useState, type RefCallback } from 'react';
import { createPanelView, watchOnScreen, type PanelView, type StoreView } from './panel-view.ts';
import type { TabmeshState, TabmeshStore } from './store.ts';

/**
 * The whole view catches up with the store at most this often. Ten redraws a
 * second reads as live; redrawing on every animation frame made each of 8
 * visible tabs at 100 tx/s re-render up to 60 times a second, and the view
 * then cost more of the main thread than the peer itself (docs/PERFORMANCE.md).
 */
export const VIEW_REFRESH_MS = 100;
const refreshedViews = new WeakMap<TabmeshStore, StoreView>();

/**
 * Calls `run` at most once per `intervalMs` however often `poke` is called:
 * the first poke after a quiet spell runs on the next macrotask, later ones
 * wait for the interval to pass and then run once for all of them.
 */
export function createThrottle(run: () => void, intervalMs: number): { poke(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ranAtMs = -Infinity;
  const fire = () => {
    timer = undefined;
    ranAtMs = performance.now();
    run();
  };
  return {
    poke() {
      if (timer === undefined) timer = setTimeout(fire, Math.max(0, ranAtMs + intervalMs - performance.now()));
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Whether the page is hidden (a background tab, a minimised window), and a way to hear it shown again. */
export interface PageVisibility {
  hidden(): boolean;
  /** Calls `listener` each time the page becomes visible. */
  onShown(listener: () => void): void;
}

/** The document's own visibility; where there is no document (Node), always visible. */
const documentVisibility: PageVisibility = {
  hidden: () => typeof document !== 'undefined' && document.hidden,
  onShown(listener) {
    if (typeof document === 'undefined') return;
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) listener();
    });
  },
};

/**
 * The store as React sees it: a snapshot taken at most once per
 * VIEW_REFRESH_MS. The node writes to the store for every transaction, block
 * and arrival (at 100 tx/s, hundreds of writes a second); components
 * re-render with everything written since, instead of once per write.
 *
 * While the page is hidden the snapshot stays as it was, and it catches up
 * once when the page is shown. A person with the network open in many tabs
 * sees one of them; the others' animation frames stop, but React would
 * still render and mutate their DOM for every refresh, taking CPU from the
 * visible tab and from every tab's peer. window.tabmesh reads the node, not
 * this view, so scripts see the live state either way.
 */
export function createRefreshedView(store: TabmeshStore, visibility: PageVisibility = documentVisibility): StoreView {
  let snapshot = store.getState();
  const listeners = new Set<(state: TabmeshState, previous: TabmeshState) => void>();
  const publish = createThrottle(() => {
    const previous = snapshot;
    snapshot = store.getState();
    if (snapshot !== previous) for (const listener of listeners) listener(snapshot, previous);
  }, VIEW_REFRESH_MS);
  store.subscribe(() => {
    if (!visibility.hidden()) publish.poke();
  });
  visibility.onShown(() => publish.poke());
  return {
    getState: () => snapshot,
    getInitialState: () => store.getInitialState(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The page's one refreshed view of `store` (createRefreshedView). */
function refreshedView(store: TabmeshStore): StoreView {
  const existing = refreshedViews.get(store);
  if (existing) return existing;
  const view = createRefreshedView(store);
  refreshedViews.set(store, view);
  return view;
}

export const TabmeshStoreContext = createContext<TabmeshStore | undefined>(undefined);

/** The page's store itself, for components that subscribe outside React's render (the graph's animation). */
export function useTabmeshStore(): TabmeshStore {
  const store = useContext(TabmeshStoreContext);
  if (!store) throw new Error('useTabmesh must be used inside <AppView>, which provides the store');
  return store;
}

/** A panel's view of the store and the ref its outermost element takes, so the view knows when the panel is on screen. */
export interface Panel {
  view: PanelView;
  ref: RefCallback<Element>;
}

export const PanelContext = createContext<Panel | undefined>(undefined);

/** A new panel view of the page's store, for PanelScope (panel-scope.tsx). */
export function createPanel(store: TabmeshStore): Panel {
  const view = createPanelView(refreshedView(store));
  return { view, ref: (element) => (element ? watchOnScreen(element, view.setOnScreen) : undefined) };
}

/** The panel this component is in, if any (see PanelScope). */
export function usePanel(): Panel | undefined {
  return useContext(PanelContext);
}

/** The ref for a panel's outermost element; a no-op outside a PanelScope. */
export function usePanelRef(): RefCallback<Element> | undefined {
  return usePanel()?.ref;
}

/**
 * What everything that draws reads: the panel's view inside a PanelScope, else the page's refreshed view.
 * Exported for code that draws outside React's render (the graph's pulses), so that it too draws at the
 * view's cadence and never per store write.
 */
export function useStoreView(): StoreView {
  const store = useTabmeshStore();
  return usePanel()?.view ?? refreshedView(store);
}

/**
 * Selects from the page's store and re-renders when the selection changes,
 * at most once per VIEW_REFRESH_MS (refreshedView). Selectors must return stable
 * references (a state field, not a new array).
 *
 * The re-render is a transition, so React renders it in slices of a few
 * milliseconds and the peer's messages are handled between them. zustand's
 * own `useStore` goes through useSyncExternalStore, whose updates React always
 * renders in one uninterruptible task: with 8 busy tabs on 2 cores those
 * tasks reached hundreds of milliseconds, and every frame that arrived
 * meanwhile waited (docs/PERFORMANCE.md, "Propagation"). Like useSyncExternalStore,
 * the render reads the view's current snapshot, so a selector that depends on
 * props always sees the latest state.
 */
export function useTabmesh<T>(selector: (state: TabmeshState) => T): T {
  const view = useStoreView();
  const [, rerender] = useReducer((count: number) => count + 1, 0);
  const selected = selector(view.getState());
  const selectorRef = useRef(selector);
  const renderedRef = useRef(selected);
  useLayoutEffect(() => {
    selectorRef.current = selector;
    renderedRef.current = selected;
  });
  useEffect(() => {
    const check = () => {
      if (!Object.is(selectorRef.current(view.getState()), renderedRef.current)) startTransition(rerender);
    };
    // A publish between this render and the subscription would otherwise be missed.
    check();
    return view.subscribe(check);
  }, [view]);
  return selected;
}

/**
 * Like useTabmesh, but re-renders at most once per `intervalMs`: for lists that
 * change with every transaction (100 a second at full load), where redrawing
 * twice a second reads as live and costs a fraction. The first change
 * after a quiet spell shows at once (on the next macrotask). Its re-render is
 * a transition too (see useTabmesh).
 */
export function useThrottledTabmesh<T>(selector: (state: TabmeshState) => T, intervalMs: number): T {
  const view = useStoreView();
  const selectorRef = useRef(selector);
  selectorRef.current = selector;
  const [value, setValue] = useState(() => selector(view.getState()));
  useEffect(() => {
    let last = selectorRef.current(view.getState());
    setValue(() => last);
    const flush = createThrottle(() => {
      const next = last;
      startTransition(() => setValue(() => next));
    }, intervalMs);
    const unsubscribe = view.subscribe((state) => {
      const next = selectorRef.current(state);
      if (Object.is(next, last)) return;
      last = next;
      flush.poke();
    });
    return () => {
      unsubscribe();
      flush.cancel();
    };
  }, [view, intervalMs]);
  return value;
}
