/**
 * What a panel reads the store through: the page's refreshed view while the
 * panel is on screen, a slower one while it is scrolled out of sight.
 *
 * Why: at 100 tx/s a panel's redraws are per-transaction DOM work (rows that
 * come and go, counts, charts) on the main thread the peer needs, and most of
 * the page is below the fold (docs/PERFORMANCE.md, "Propagation"). A panel out of
 * sight still catches up every OFFSCREEN_REFRESH_MS, so find-in-page, screen
 * readers and scripts never read anything older than that, and it catches up
 * at once when it comes back into view.
 */
import type { StoreApi } from 'zustand';
import type { TabmeshState } from './store.ts';

export type StoreView = Pick<StoreApi<TabmeshState>, 'getState' | 'getInitialState' | 'subscribe'>;

/** A panel out of sight catches up this often (when anything changed). */
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

/** Spreads the panels' catch-up phases over the interval (golden-ratio steps), see createPanelView. */
let panelsCreated = 0;
const nextPhaseMs = () => ((panelsCreated++ * 0.618034) % 1) * OFFSCREEN_REFRESH_MS;

/**
 * A view of `source` that passes every publish through while on screen. While
 * not, it publishes what changed at the panel's next catch-up time: `phaseMs`
 * plus a multiple of OFFSCREEN_REFRESH_MS on the page's clock, so never more
 * than that behind. Each panel gets its own phase, so the panels out of sight
 * catch up one at a time: caught up together, they made one layout of the
 * whole page, a task of 300 ms on a busy tab (docs/PERFORMANCE.md).
 * It follows `source` only while someone subscribes to it, so a panel that
 * unmounts leaves nothing behind.
 */
export function createPanelView(source: StoreView, phaseMs = nextPhaseMs()): PanelView {
  let snapshot = source.getState();
  let onScreen = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | undefined;
  const listeners = new Set<(state: TabmeshState, previous: TabmeshState) => void>();

  const publish = () => {
    clearTimeout(timer);
    timer = undefined;
    const previous = snapshot;
    snapshot = source.getState();
    if (snapshot !== previous) for (const listener of listeners) listener(snapshot, previous);
  };
  const follow = () => {
    // Subscribers check the state when they subscribe, so catching up here needs no publish.
    snapshot = source.getState();
    unsubscribe = source.subscribe(() => {
      if (onScreen) publish();
      else timer ??= setTimeout(publish, untilCatchUp(performance.now(), phaseMs));
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

/** Milliseconds from `nowMs` to the next catch-up time of a panel with this phase (0 < result ≤ the interval). */
export function untilCatchUp(nowMs: number, phaseMs: number): number {
  const sincePhase = (((nowMs - phaseMs) % OFFSCREEN_REFRESH_MS) + OFFSCREEN_REFRESH_MS) % OFFSCREEN_REFRESH_MS;
  return OFFSCREEN_REFRESH_MS - sincePhase;
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
