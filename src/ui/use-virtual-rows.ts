/**
 * Windowing for long lists and tables (@tanstack/react-virtual): only the
 * rows in view, plus some overscan, are in the DOM. Rows have a fixed height
 * (styles.css) and are not measured: measuring each mounted row forced a
 * layout per row and took 8% of a tab's main thread at 50 tx/s. Short lists render whole,
 * so find-in-page and tests see every row until a list grows past
 * `threshold`.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import type { RefObject } from 'react';
import { usePanel } from './use-tabmesh.ts';

export interface VirtualRows {
  /** True when windowing is on (the list is longer than the threshold). */
  virtual: boolean;
  /** Indexes to render, in order. */
  indexes: number[];
  /** Space in px before the first and after the last rendered row. */
  padStart: number;
  padEnd: number;
}

/**
 * Rows rendered beyond the visible ones, each way: a fast scroll shows rows, not blank space.
 * A panel out of sight is not being scrolled, so its catch-ups render the visible rows only
 * (about half as many rows for the page to lay out again; docs/PERFORMANCE.md).
 */
const OVERSCAN_ROWS = 12;

export function useVirtualRows(count: number, scrollRef: RefObject<HTMLElement | null>, estimateRowPx: number, threshold: number): VirtualRows {
  const virtual = count > threshold;
  const outOfSight = usePanel()?.view.onScreen() === false;
  const virtualizer = useVirtualizer({
    count,
    // Always on, even while the list renders whole, and the panels keep their scroller mounted while the
    // list is empty: the virtualizer starts watching a scroller each time it is enabled or the scroller is
    // new, and reads its size, which forces a layout of the page in the middle of React's commit. A
    // mempool that blocks drain did that every few seconds (26 forced layouts, 274 ms, in one 8-tab trace;
    // docs/PERFORMANCE.md).
    enabled: true,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => estimateRowPx,
    overscan: outOfSight ? 0 : OVERSCAN_ROWS,
  });
  if (!virtual) return { virtual, indexes: Array.from({ length: count }, (_, i) => i), padStart: 0, padEnd: 0 };
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items.at(-1);
  return {
    virtual,
    indexes: items.map((item) => item.index),
    padStart: first?.start ?? 0,
    padEnd: last ? Math.max(0, virtualizer.getTotalSize() - last.end) : 0,
  };
}
