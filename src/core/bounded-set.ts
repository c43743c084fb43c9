/**
 * A set that forgets its oldest entries beyond `capacity`, so seen-caches stay
 * bounded however long a tab runs. Insertion order is Map order.
 */
export class BoundedSet<T> {
  private readonly entries = new Set<T>();

  constructor(private readonly capacity: number) {}

  has(value: T): boolean {
    return this.entries.has(value);
  }

  add(value: T): void {
    if (this.entries.has(value)) return;
    this.entries.add(value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.values().next().value as T;
      this.entries.delete(oldest);
    }
  }

  delete(value: T): void {
    this.entries.delete(value);
  }

  get size(): number {
    return this.entries.size;
  }
}
