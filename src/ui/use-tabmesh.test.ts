import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTabmeshStore } from './store.ts';
import { createRefreshedView, createThrottle, VIEW_REFRESH_MS, type PageVisibility } from './use-tabmesh.ts';

describe('createThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the first poke after a quiet spell on the next macrotask, then at most once per interval for all pokes', () => {
    let runs = 0;
    const throttle = createThrottle(() => runs++, 100);
    throttle.poke();
    throttle.poke();
    expect(runs).toBe(0);
    vi.advanceTimersByTime(0);
    expect(runs).toBe(1);
    for (let i = 0; i < 10; i++) {
      throttle.poke();
      vi.advanceTimersByTime(9);
    }
    // 90 ms after the first run: the pokes wait for the interval.
    expect(runs).toBe(1);
    vi.advanceTimersByTime(10);
    expect(runs).toBe(2);
    vi.advanceTimersByTime(1_000);
    expect(runs).toBe(2);
  });

  it('cancel drops a pending run', () => {
    let runs = 0;
    const throttle = createThrottle(() => runs++, 100);
    throttle.poke();
    throttle.cancel();
    vi.advanceTimersByTime(500);
    expect(runs).toBe(0);
  });
});

describe('createRefreshedView', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A page whose visibility the test sets; `show()` fires what a visibilitychange to visible would. */
  function fakePage() {
    let hidden = false;
    const shown: (() => void)[] = [];
    const page: PageVisibility = { hidden: () => hidden, onShown: (listener) => void shown.push(listener) };
    return {
      page,
      hide: () => void (hidden = true),
      show: () => {
        hidden = false;
        for (const listener of shown) listener();
      },
    };
  }

  it('publishes the store to its listeners at most once per refresh while the page is visible', () => {
    const store = createTabmeshStore();
    const view = createRefreshedView(store, fakePage().page);
    const published: string[] = [];
    view.subscribe((state) => published.push(state.relay));
    store.getState().setRelay('connecting');
    store.getState().setRelay('open');
    vi.advanceTimersByTime(0);
    expect(published).toEqual(['open']);
    expect(view.getState().relay).toBe('open');
  });

  it('holds its snapshot while the page is hidden and catches up once when it is shown', () => {
    const store = createTabmeshStore();
    const { page, hide, show } = fakePage();
    const view = createRefreshedView(store, page);
    const published: string[] = [];
    view.subscribe((state) => published.push(state.relay));
    const before = view.getState().relay;
    hide();
    store.getState().setRelay('connecting');
    store.getState().setRelay('open');
    vi.advanceTimersByTime(10 * VIEW_REFRESH_MS);
    expect(published).toEqual([]);
    expect(view.getState().relay).toBe(before);
    show();
    vi.advanceTimersByTime(0);
    expect(published).toEqual(['open']);
    expect(view.getState().relay).toBe('open');
  });
});
