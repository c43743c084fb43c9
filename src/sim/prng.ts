/**
 * A seeded PRNG for the simulator: sfc32 (Chris Doty-Humphrey's Small Fast
 * Counting generator, 128-bit state, period >= 2^32 and ~2^127 on average),
 * which passes PractRand to 2^40+ bytes and costs a few integer ops per draw.
 * Math.random cannot be seeded, so every random choice in a simulation comes
 * from here and a run replays exactly from its seed.
 *
 * `fork(label)` derives an independent stream from this stream's *seed key*
 * and the label, not from its current position: adding a draw in one part of
 * the simulator never shifts the numbers another part sees.
 */
import { InvalidArgumentError } from '../core/result.ts';

export interface Prng {
  /** The root seed this stream descends from (forks keep their root's seed). */
  readonly seed: number;
  /** The fork path, e.g. "root/links/3", for diagnostics. */
  readonly label: string;
  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** An unsigned 32-bit integer. */
  uint32(): number;
  /** An integer in [0, max), unbiased (rejection sampling); max is 1..2^32. */
  int(max: number): number;
  /** True with probability p (p <= 0 never draws false-positives, p >= 1 always true). */
  chance(p: number): boolean;
  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T;
  /** Shuffles in place (Fisher–Yates) and returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** `count` random bytes. */
  bytes(count: number): Uint8Array;
  /** An independent stream for `label`; the same label always gives the same stream. */
  fork(label: string): Prng;
}

const TWO_POW_32 = 0x1_0000_0000;

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85eb_ca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2_ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of `text`. */
function hashLabel(text: string): number {
  let hash = 0x811c_9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x0100_0193);
  return hash >>> 0;
}

function assertSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32) {
    throw new InvalidArgumentError(`seed must be an integer in [0, 2^32), got ${String(seed)}`);
  }
}

/**
 * sfc32 as a class: methods live on the prototype, so a stream costs ~60
 * bytes. The simulator forks one per link and per node (50,000 at 10,000
 * nodes); closures cost ~1.4 KB a stream (measured), 70 MB at that scale.
 */
class Sfc32 implements Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number, readonly label: string, private readonly key: readonly number[]) {
    [this.a, this.b, this.c, this.d] = key as [number, number, number, number];
    // Discard the first outputs so related keys decorrelate (as sfc32's reference seeding does).
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  int(max: number): number {
    if (!Number.isInteger(max) || max < 1 || max > TWO_POW_32) throw new InvalidArgumentError(`int(max): max must be an integer in [1, 2^32], got ${max}`);
    const limit = TWO_POW_32 - (TWO_POW_32 % max);
    let value = this.uint32();
    while (value >= limit) value = this.uint32();
    return value % max;
  }

  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.uint32() / TWO_POW_32 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new InvalidArgumentError('pick: items must not be empty');
    return items[this.int(items.length)]!;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  bytes(count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i += 4) {
      const word = this.uint32();
      for (let k = 0; k < 4 && i + k < count; k++) out[i + k] = (word >>> (8 * k)) & 0xff;
    }
    return out;
  }

  fork(child: string): Prng {
    const h = hashLabel(child);
    const key = this.key;
    const childKey = key.map((word, i) => {
      const neighbour = key[(i + 1) % 4]!;
      return mix32(word ^ mix32(h + Math.imul(i + 1, 0x9e37_79b9)) ^ ((neighbour << 7) | (neighbour >>> 25)));
    });
    return new Sfc32(this.seed, `${this.label}/${child}`, childKey);
  }
}

/** A stream for `seed` (an integer in [0, 2^32)); the same seed always gives the same numbers. */
export function createPrng(seed: number): Prng {
  assertSeed(seed);
  const key = [1, 2, 3, 4].map((i) => mix32(seed ^ mix32(Math.imul(i, 0x9e37_79b9))));
  return new Sfc32(seed, 'root', key);
}
