/**
 * Windowing for long lists and tables (@tanstack/react-virtual): only the
 * rows in view, plus some overscan, are in the DOM. Short lists render whole,
 * so find-in-page and tests see every row until a list grows past
 * `threshold`.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import type { RefObject } from 'react';

export interface VirtualRows {
  /** True when windowing is on (the list is longer than the threshold). */
  virtual: boolean;
  /** Indexes to render, in order. */
  indexes: number[];
  /** Space in px before the first and after the last rendered row. */
  padStart: number;
  padEnd: number;
  /** Pass as `ref` with `data-index` on each rendered row so rows of differing height are measured. */
  measure: (el: Element | null) => void;
}

/** Rows rendered beyond the visible ones, each way: a fast scroll shows rows, not blank space. */
const OVERSCAN_ROWS = 12;

const noMeasure = () => undefined;

export function useVirtualRows(count: number, scrollRef: RefObject<HTMLElement | null>, estimateRowPx: number, threshold: number): VirtualRows {
  const virtual = count > threshold;
  const virtualizer = useVirtualizer({
    count,
    enabled: virtual,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => estimateRowPx,
    overscan: OVERSCAN_ROWS,
  });
  if (!virtual) return { virtual, indexes: Array.from({ length: count }, (_, i) => i), padStart: 0, padEnd: 0, measure: noMeasure };
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items.at(-1);
  return {
    virtual,
    indexes: items.map((item) => item.index),
    padStart: first?.start ?? 0,
    padEnd: last ? Math.max(0, virtualizer.getTotalSize() - last.end) : 0,
    measure: virtualizer.measureElement,
  };
}
