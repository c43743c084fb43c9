/**
 * A binary min-heap of scheduled events ordered by (atMs, seq). The sequence
 * number breaks ties in insertion order, so two events at the same virtual
 * instant always run in the order they were scheduled: that is what makes a
 * run reproducible from its seed.
 */
export interface HeapEvent {
  atMs: number;
  seq: number;
}

const before = (x: HeapEvent, y: HeapEvent): boolean => x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq);

export class EventHeap<E extends HeapEvent> {
  private readonly items: E[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): E | undefined {
    return this.items[0];
  }

  push(event: E): void {
    const items = this.items;
    let i = items.push(event) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = event;
  }

  pop(): E | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(items[right]!, items[left]!) ? right : left;
      if (!before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
