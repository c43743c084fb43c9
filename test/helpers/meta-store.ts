/** An in-memory meta store for the peer-book, anchor and ban stores' tests (peer/peer-book-store.ts MetaStore). */
import type { MetaStore } from '../../src/peer/peer-book-store.ts';

/** Meta kept as IndexedDB keeps it: a structured clone of what was put. */
export function metaStore(): MetaStore & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return {
    values,
    getMeta: async <T,>(key: string) => structuredClone(values.get(key)) as T | undefined,
    putMeta: async (key, value) => void values.set(key, structuredClone(value)),
  };
}
