import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPanelView, OFFSCREEN_REFRESH_MS, watchOnScreen, type StoreView } from './panel-view.ts';
import { createTabmeshStore, type TabmeshState } from './store.ts';

/** The page store itself stands in for the refreshed view: every write is a publish. */
function source(): { view: StoreView; write(n: number): void } {
  const store = createTabmeshStore();
  return { view: store, write: (n) => store.getState().setStats({ n }) };
}

function record(view: StoreView): number[] {
  const seen: number[] = [];
  view.subscribe((state: TabmeshState) => seen.push(state.stats.n ?? -1));
  return seen;
}

describe('createPanelView', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes every publish through at once while on screen', () => {
    const { view, write } = source();
    const panel = createPanelView(view);
    const seen = record(panel);
    write(1);
    write(2);
    expect(seen).toEqual([1, 2]);
    expect(panel.getState().stats.n).toBe(2);
  });

  it('off screen, publishes at most once per OFFSCREEN_REFRESH_MS, with the latest state', () => {
    const { view, write } = source();
    const panel = createPanelView(view);
    const seen = record(panel);
    write(1);
    panel.setOnScreen(false);
    for (let n = 2; n <= 20; n++) {
      write(n);
      vi.advanceTimersByTime(100);
    }
    // 1.9 s after the last publish: still nothing new.
    expect(seen).toEqual([1]);
    expect(panel.getState().stats.n).toBe(1);
    vi.advanceTimersByTime(OFFSCREEN_REFRESH_MS);
    expect(seen).toEqual([1, 20]);
    // Nothing written since: no timer left behind, no publish.
    vi.advanceTimersByTime(10 * OFFSCREEN_REFRESH_MS);
    expect(seen).toEqual([1, 20]);
  });

  it('catches up at once when the panel comes back on screen', () => {
    const { view, write } = source();
    const panel = createPanelView(view);
    const seen = record(panel);
    panel.setOnScreen(false);
    write(1);
    write(2);
    expect(seen).toEqual([]);
    panel.setOnScreen(true);
    expect(seen).toEqual([2]);
    // The timer set while off screen was cancelled by the catch-up.
    vi.advanceTimersByTime(OFFSCREEN_REFRESH_MS);
    expect(seen).toEqual([2]);
    expect(panel.onScreen()).toBe(true);
  });

  it('follows its source only while subscribed, and catches up when subscribed again', () => {
    const { view, write } = source();
    const panel = createPanelView(view);
    const stop = panel.subscribe(() => undefined);
    panel.setOnScreen(false);
    write(1);
    stop();
    // No subscriber: the pending off-screen publish is dropped with the subscription.
    vi.advanceTimersByTime(OFFSCREEN_REFRESH_MS);
    expect(panel.getState().stats.n).toBeUndefined();
    write(2);
    const seen = record(panel);
    expect(panel.getState().stats.n).toBe(2);
    expect(seen).toEqual([]);
  });
});

describe('watchOnScreen', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('reports intersection changes for the watched element until stopped', () => {
    let callback: IntersectionObserverCallback | undefined;
    const observed = new Set<Element>();
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        constructor(cb: IntersectionObserverCallback) {
          callback = cb;
        }
        observe(element: Element) {
          observed.add(element);
        }
        unobserve(element: Element) {
          observed.delete(element);
        }
      },
    );
    const element = {} as Element;
    const reports: boolean[] = [];
    const stop = watchOnScreen(element, (onScreen) => reports.push(onScreen));
    expect(observed.has(element)).toBe(true);
    callback!([{ target: element, isIntersecting: false } as IntersectionObserverEntry], {} as IntersectionObserver);
    callback!([{ target: element, isIntersecting: true } as IntersectionObserverEntry], {} as IntersectionObserver);
    expect(reports).toEqual([false, true]);
    stop();
    expect(observed.has(element)).toBe(false);
    callback!([{ target: element, isIntersecting: false } as IntersectionObserverEntry], {} as IntersectionObserver);
    expect(reports).toEqual([false, true]);
  });
});
