/**
 * The in-memory index of every block header this ledger holds a valid-looking
 * block for (Bitcoin's mapBlockIndex): a tree rooted at genesis, with
 * cumulative work per entry and first-seen order for tie-breaks. It is rebuilt
 * from store.listHeaders() on start.
 */
import type { BlockHash } from '../types.ts';
import { blockHash } from './block.ts';
import { targetFromHex, workForTarget } from './pow.ts';
import type { BlockHeader, LedgerRejectReason } from './types.ts';

export interface HeaderEntry {
  readonly hash: BlockHash;
  readonly header: BlockHeader;
  readonly height: number;
  readonly parent: HeaderEntry | undefined;
  readonly target: bigint;
  /** Sum of workForTarget over this block and all its ancestors (genesis included). */
  readonly chainWork: bigint;
  /** First-seen order: among equal work, the lower sequence wins (see ranksAbove). */
  seq: number;
  readonly children: HeaderEntry[];
  /** Set when the block, or an ancestor, broke a rule while being connected. */
  invalid?: { reason: LedgerRejectReason; detail: string };
}

export class HeaderIndex {
  private readonly entries = new Map<BlockHash, HeaderEntry>();
  private nextSeq = 0;
  readonly genesis: HeaderEntry;

  constructor(genesisHeader: BlockHeader) {
    this.genesis = this.insert(genesisHeader, blockHash(genesisHeader), undefined);
  }

  get size(): number {
    return this.entries.size;
  }

  get(hash: BlockHash): HeaderEntry | undefined {
    return this.entries.get(hash);
  }

  has(hash: BlockHash): boolean {
    return this.entries.has(hash);
  }

  values(): IterableIterator<HeaderEntry> {
    return this.entries.values();
  }

  /** Adds a header under its parent (which must be indexed); returns the existing entry for a known hash. */
  add(header: BlockHeader, hash: BlockHash, parent: HeaderEntry): HeaderEntry {
    return this.entries.get(hash) ?? this.insert(header, hash, parent);
  }

  private insert(header: BlockHeader, hash: BlockHash, parent: HeaderEntry | undefined): HeaderEntry {
    const target = targetFromHex(header.target);
    const entry: HeaderEntry = {
      hash,
      header,
      height: header.height,
      parent,
      target,
      chainWork: (parent?.chainWork ?? 0n) + workForTarget(target),
      seq: this.nextSeq++,
      children: [],
    };
    this.entries.set(hash, entry);
    parent?.children.push(entry);
    return entry;
  }

  /** Marks `entry` invalid and every descendant 'invalid-parent'; returns how many were newly marked. */
  markInvalid(entry: HeaderEntry, reason: LedgerRejectReason, detail: string): number {
    let marked = 0;
    const stack: [HeaderEntry, LedgerRejectReason, string][] = [[entry, reason, detail]];
    while (stack.length > 0) {
      const [current, why, text] = stack.pop()!;
      if (!current.invalid) marked++;
      current.invalid ??= { reason: why, detail: text };
      for (const child of current.children) stack.push([child, 'invalid-parent', `ancestor ${entry.hash} is invalid: ${reason}`]);
    }
    return marked;
  }

  /** Forgets `entry` and its descendants (their stored data turned out to be missing); returns them. */
  removeSubtree(entry: HeaderEntry): HeaderEntry[] {
    if (!entry.parent) throw new RangeError('genesis cannot be removed from the header index');
    const siblings = entry.parent.children;
    siblings.splice(siblings.indexOf(entry), 1);
    const removed: HeaderEntry[] = [];
    const stack = [entry];
    while (stack.length > 0) {
      const current = stack.pop()!;
      this.entries.delete(current.hash);
      removed.push(current);
      stack.push(...current.children);
    }
    return removed;
  }

  /**
   * Makes `entry` win every tie, as if seen before all others. On start the
   * stored tip gets this, so a restart never swaps it for an equal-work branch.
   */
  preferOnTies(entry: HeaderEntry): void {
    let lowest = 0;
    for (const other of this.entries.values()) lowest = Math.min(lowest, other.seq);
    entry.seq = lowest - 1;
  }

  /** The valid entry that ranks first: the most work, then the first seen. */
  best(): HeaderEntry {
    let best = this.genesis;
    for (const entry of this.entries.values()) {
      if (!entry.invalid && ranksAbove(entry, best)) best = entry;
    }
    return best;
  }
}

/** Fork choice order: more cumulative work first; among equal work, the one seen first. */
export function ranksAbove(a: HeaderEntry, b: HeaderEntry): boolean {
  return a.chainWork > b.chainWork || (a.chainWork === b.chainWork && a.seq < b.seq);
}

/** The ancestor of `entry` at `height` (walking parents), or undefined above its height. */
export function ancestorOf(entry: HeaderEntry, height: number): HeaderEntry | undefined {
  if (height > entry.height || height < 0) return undefined;
  let current: HeaderEntry | undefined = entry;
  while (current && current.height > height) current = current.parent;
  return current;
}

/** The last common ancestor of two entries of one index. */
export function forkPoint(a: HeaderEntry, b: HeaderEntry): HeaderEntry {
  let x: HeaderEntry | undefined = a;
  let y: HeaderEntry | undefined = b;
  while (x && y && x !== y) {
    if (x.height > y.height) x = x.parent;
    else if (y.height > x.height) y = y.parent;
    else {
      x = x.parent;
      y = y.parent;
    }
  }
  if (!x || x !== y) throw new RangeError('entries do not share an ancestor');
  return x;
}

/** Block times of `entry` and up to span − 1 ancestors, for medianTimePast. */
export function recentTimes(entry: HeaderEntry, span: number): number[] {
  const times: number[] = [];
  for (let current: HeaderEntry | undefined = entry; current && times.length < span; current = current.parent) times.push(current.header.timeMs);
  return times;
}
