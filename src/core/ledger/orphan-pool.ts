/**
 * Blocks whose parent is not yet known, held until it arrives. Bounded: beyond
 * `maxBlocks` the oldest is evicted (a peer can always send it again). Only
 * blocks that pass the context-free checks (proof-of-work against their own
 * target, target within powLimit, body matching the Merkle root) get here.
 */
import type { BlockHash, PeerId } from '../types.ts';
import type { Block } from './types.ts';

export interface OrphanEntry {
  hash: BlockHash;
  block: Block;
  source: PeerId | 'self' | undefined;
}

export class OrphanPool {
  /** Insertion-ordered, so the first key is the oldest. */
  private readonly byHash = new Map<BlockHash, OrphanEntry>();
  private readonly byParent = new Map<BlockHash, Set<BlockHash>>();

  constructor(private readonly maxBlocks: number) {}

  get size(): number {
    return this.byHash.size;
  }

  has(hash: BlockHash): boolean {
    return this.byHash.has(hash);
  }

  /** Adds an orphan; returns the hashes evicted to stay within the bound. */
  add(entry: OrphanEntry): BlockHash[] {
    if (this.byHash.has(entry.hash) || this.maxBlocks <= 0) return [];
    this.byHash.set(entry.hash, entry);
    const parent = entry.block.header.prevHash;
    let siblings = this.byParent.get(parent);
    if (!siblings) this.byParent.set(parent, (siblings = new Set()));
    siblings.add(entry.hash);
    const evicted: BlockHash[] = [];
    while (this.byHash.size > this.maxBlocks) {
      const oldest = this.byHash.keys().next().value!;
      this.remove(oldest);
      evicted.push(oldest);
    }
    return evicted;
  }

  private remove(hash: BlockHash): OrphanEntry | undefined {
    const entry = this.byHash.get(hash);
    if (!entry) return undefined;
    this.byHash.delete(hash);
    const parent = entry.block.header.prevHash;
    const siblings = this.byParent.get(parent);
    siblings?.delete(hash);
    if (siblings?.size === 0) this.byParent.delete(parent);
    return entry;
  }

  /** Removes and returns the orphans whose parent is `parentHash`, oldest first. */
  takeChildren(parentHash: BlockHash): OrphanEntry[] {
    const hashes = [...(this.byParent.get(parentHash) ?? [])];
    return hashes.map((hash) => this.remove(hash)!);
  }

  /**
   * The block to ask peers for: walks from `hash` through orphan parents to the
   * first ancestor that is not itself an orphan.
   */
  missingAncestor(hash: BlockHash): BlockHash {
    let current = hash;
    const seen = new Set<BlockHash>();
    for (;;) {
      const entry = this.byHash.get(current);
      if (!entry || seen.has(current)) return current;
      seen.add(current);
      current = entry.block.header.prevHash;
    }
  }
}
