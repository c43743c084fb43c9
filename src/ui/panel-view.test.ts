import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPanelView, OFFSCREEN_REFRESH_MS, untilCatchUp, watchOnScreen, type StoreView } from './panel-view.ts';
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

  it("off screen, publishes only at the panel's catch-up times (its phase plus multiples of the interval), with the latest state", () => {
    const { view, write } = source();
    const panel = createPanelView(view, performance.now() + 500);
    const seen = record(panel);
    panel.setOnScreen(false);
    write(1);
    vi.advanceTimersByTime(499);
    write(2);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([2]);
    write(3);
    vi.advanceTimersByTime(OFFSCREEN_REFRESH_MS - 1);
    expect(seen).toEqual([2]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([2, 3]);
    // Nothing written since: no timer left behind, no publish.
    vi.advanceTimersByTime(10 * OFFSCREEN_REFRESH_MS);
    expect(seen).toEqual([2, 3]);
  });

  it('gives each panel its own phase, so panels out of sight catch up at different times', () => {
    const { view, write } = source();
    const panels = [createPanelView(view), createPanelView(view)];
    const publishedAt: number[][] = [[], []];
    panels.forEach((panel, i) => {
      panel.subscribe(() => publishedAt[i]!.push(performance.now()));
      panel.setOnScreen(false);
    });
    write(1);
    vi.advanceTimersByTime(OFFSCREEN_REFRESH_MS);
    expect(publishedAt.map((times) => times.length)).toEqual([1, 1]);
    expect(Math.abs(publishedAt[0]![0]! - publishedAt[1]![0]!)).toBeGreaterThanOrEqual(OFFSCREEN_REFRESH_MS / 4);
  });

  it('untilCatchUp: the wait to the next catch-up time, more than 0 and at most the interval', () => {
    expect(untilCatchUp(0, 0)).toBe(OFFSCREEN_REFRESH_MS);
    expect(untilCatchUp(100, 0)).toBe(OFFSCREEN_REFRESH_MS - 100);
    expect(untilCatchUp(100, 500)).toBe(400);
    expect(untilCatchUp(500 + 3 * OFFSCREEN_REFRESH_MS + 100, 500)).toBe(OFFSCREEN_REFRESH_MS - 100);
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
