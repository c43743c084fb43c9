/**
 * What a panel reads the store through: the page's refreshed view while the
 * panel is on screen, a slower one while it is scrolled out of sight.
 *
 * Why: at 100 tx/s a panel's redraws are per-transaction DOM work (rows that
 * come and go, counts, charts) on the main thread the peer needs, and most of
 * the page is below the fold (docs/PERFORMANCE.md, section 2). A panel out of
 * sight still catches up every OFFSCREEN_REFRESH_MS, so find-in-page, screen
 * readers and scripts never read anything older than that, and it catches up
 * at once when it comes back into view.
 */
import type { StoreApi } from 'zustand';
import type { TabmeshState } from './store.ts';

export type StoreView = Pick<StoreApi<TabmeshState>, 'getState' | 'getInitialState' | 'subscribe'>;

/** A panel out of sight catches up at most this often. */
export const OFFSCREEN_REFRESH_MS = 2000;
/**
 * How far beyond the viewport a panel still counts as on screen. None: a panel
 * scrolled into view catches up in the next frame or two, and a margin would
 * keep the panels just below the fold redrawing (200 px measured no cheaper).
 */
export const ON_SCREEN_MARGIN = '0px';

export interface PanelView extends StoreView {
  onScreen(): boolean;
  /** Sets whether the panel is on screen; coming on screen publishes the latest state at once. */
  setOnScreen(onScreen: boolean): void;
}

/**
 * A view of `source` that passes every publish through while on screen and at
 * most one per OFFSCREEN_REFRESH_MS while not. It follows `source` only while
 * someone subscribes to it, so a panel that unmounts leaves nothing behind.
 */
export function createPanelView(source: StoreView): PanelView {
  let snapshot = source.getState();
  let onScreen = true;
  let publishedAtMs = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | undefined;
  const listeners = new Set<(state: TabmeshState, previous: TabmeshState) => void>();

  const publish = () => {
    clearTimeout(timer);
    timer = undefined;
    publishedAtMs = performance.now();
    const previous = snapshot;
    snapshot = source.getState();
    if (snapshot !== previous) for (const listener of listeners) listener(snapshot, previous);
  };
  const follow = () => {
    // Subscribers check the state when they subscribe, so catching up here needs no publish.
    snapshot = source.getState();
    unsubscribe = source.subscribe(() => {
      if (onScreen) publish();
      else timer ??= setTimeout(publish, Math.max(0, publishedAtMs + OFFSCREEN_REFRESH_MS - performance.now()));
    });
  };
  const unfollow = () => {
    unsubscribe?.();
    unsubscribe = undefined;
    clearTimeout(timer);
    timer = undefined;
  };

  return {
    getState: () => snapshot,
    getInitialState: () => source.getInitialState(),
    subscribe(listener) {
      listeners.add(listener);
      if (!unsubscribe) follow();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) unfollow();
      };
    },
    onScreen: () => onScreen,
    setOnScreen(next) {
      if (next === onScreen) return;
      onScreen = next;
      if (onScreen && unsubscribe) publish();
    },
  };
}

type ScreenListener = (onScreen: boolean) => void;
let observer: IntersectionObserver | undefined;
const watched = new WeakMap<Element, ScreenListener>();

/**
 * Calls `listener` whenever `element` comes within ON_SCREEN_MARGIN of the
 * viewport or leaves it; returns the function that stops watching. One
 * IntersectionObserver serves the whole page. Where the browser has none
 * (jsdom), nothing is watched and panels stay on screen.
 */
export function watchOnScreen(element: Element, listener: ScreenListener): () => void {
  if (typeof IntersectionObserver === 'undefined') return () => {};
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) watched.get(entry.target)?.(entry.isIntersecting);
    },
    { rootMargin: ON_SCREEN_MARGIN },
  );
  watched.set(element, listener);
  observer.observe(element);
  return () => {
    watched.delete(element);
    observer?.unobserve(element);
  };
}
