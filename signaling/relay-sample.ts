/**
 * A set of peer ids that can be sampled at random in O(sample size): an array
 * plus an index map, with swap-remove deletion. The relay's rooms keep their
 * active and idle lists in these, so a welcome never walks the whole room.
 */
import type { PeerId } from '../src/core/types.ts';

/** `randomInt(n)` returns an integer in [0, n). */
export type RandomInt = (n: number) => number;

export class SampleSet {
  private readonly ids: PeerId[] = [];
  private readonly index = new Map<PeerId, number>();

  get size(): number {
    return this.ids.length;
  }

  has(id: PeerId): boolean {
    return this.index.has(id);
  }

  add(id: PeerId): void {
    if (this.index.has(id)) return;
    this.index.set(id, this.ids.length);
    this.ids.push(id);
  }

  delete(id: PeerId): boolean {
    const at = this.index.get(id);
    if (at === undefined) return false;
    const last = this.ids.pop()!;
    if (last !== id) {
      this.ids[at] = last;
      this.index.set(last, at);
    }
    this.index.delete(id);
    return true;
  }

  /**
   * Up to `max` distinct ids, none in `exclude`, uniformly at random. Small
   * sets get a partial Fisher-Yates shuffle of a copy; large ones (more than
   * 4 × max) rejection-sample indices, which needs about max draws.
   */
  sample(max: number, exclude: ReadonlySet<PeerId>, randomInt: RandomInt): PeerId[] {
    if (max <= 0 || this.ids.length === 0) return [];
    if (this.ids.length <= 4 * max + exclude.size) {
      const pool = this.ids.filter((id) => !exclude.has(id));
      const count = Math.min(max, pool.length);
      for (let i = 0; i < count; i++) {
        const j = i + randomInt(pool.length - i);
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      return pool.slice(0, count);
    }
    const picked = new Set<PeerId>();
    // Bounded: with more than 4 × max eligible ids each draw succeeds with probability above 3/4.
    for (let draws = 0; picked.size < max && draws < 8 * max; draws++) {
      const id = this.ids[randomInt(this.ids.length)]!;
      if (!exclude.has(id)) picked.add(id);
    }
    return [...picked];
  }
}
