/**
 * An in-memory ChainStore for tests and the simulator. Every record is
 * structured-cloned on the way in and out, as IndexedDB does, so a caller that
 * mutates what it stored or read cannot change the store behind its back.
 * Each commit applies all its writes at once, like one idb transaction.
 * The maps are public so tests can damage them to exercise corruption recovery.
 */
import { txId } from '../tx.ts';
import type { BlockHash, PeerId, TxId } from '../types.ts';
import { blockHash } from './block.ts';
import type { Account, Block, BlockHeader, BlockUndo, ChainStore, ConnectCommit, TipRecord } from './types.ts';

export class MemoryChainStore implements ChainStore {
  readonly blocks = new Map<BlockHash, Block>();
  readonly undo = new Map<BlockHash, BlockUndo>();
  readonly accountsById = new Map<PeerId, Account>();
  readonly txLocations = new Map<TxId, { blockHash: BlockHash; height: number }>();
  tipRecord: TipRecord | undefined;
  /** Counts of each call, for tests that check the ledger's write pattern (commitConnect counts commits, batched or not). */
  readonly calls = { putBlock: 0, commitConnect: 0, commitDisconnect: 0, resetState: 0, getUndo: 0 };

  async putBlock(block: Block): Promise<void> {
    this.calls.putBlock++;
    this.blocks.set(blockHash(block.header), structuredClone(block));
  }

  async getBlock(hash: BlockHash): Promise<Block | undefined> {
    const block = this.blocks.get(hash);
    return block && structuredClone(block);
  }

  async getUndo(hash: BlockHash): Promise<BlockUndo | undefined> {
    this.calls.getUndo++;
    const undo = this.undo.get(hash);
    return undo && structuredClone(undo);
  }

  async listHeaders(): Promise<BlockHeader[]> {
    return [...this.blocks.values()].map((block) => structuredClone(block.header));
  }

  async commitConnect(commit: ConnectCommit): Promise<void> {
    return this.commitConnects([commit]);
  }

  async commitConnects(commits: readonly ConnectCommit[]): Promise<void> {
    this.calls.commitConnect++;
    for (const { block, undo, accounts, tip } of structuredClone(commits)) {
      const hash = blockHash(block.header);
      this.blocks.set(hash, block);
      this.undo.set(hash, undo);
      for (const [id, account] of accounts) this.accountsById.set(id, account);
      for (const tx of block.txs) this.txLocations.set(txId(tx), { blockHash: hash, height: block.header.height });
      this.tipRecord = tip;
    }
  }

  async commitDisconnect(commit: { hash: BlockHash; accounts: [PeerId, Account | null][]; tip: TipRecord }): Promise<void> {
    this.calls.commitDisconnect++;
    const { hash, accounts, tip } = structuredClone(commit);
    for (const [id, account] of accounts) {
      if (account) this.accountsById.set(id, account);
      else this.accountsById.delete(id);
    }
    for (const tx of this.blocks.get(hash)?.txs ?? []) {
      const id = txId(tx);
      if (this.txLocations.get(id)?.blockHash === hash) this.txLocations.delete(id);
    }
    this.undo.delete(hash);
    this.tipRecord = tip;
  }

  async loadState(): Promise<{ tip: TipRecord; accounts: [PeerId, Account][] } | undefined> {
    if (!this.tipRecord) return undefined;
    return structuredClone({ tip: this.tipRecord, accounts: [...this.accountsById] });
  }

  async getTxLocation(id: TxId): Promise<{ blockHash: BlockHash; height: number } | undefined> {
    const location = this.txLocations.get(id);
    return location && { ...location };
  }

  async resetState(state: { tip: TipRecord; accounts: [PeerId, Account][] }): Promise<void> {
    this.calls.resetState++;
    const { tip, accounts } = structuredClone(state);
    this.accountsById.clear();
    this.undo.clear();
    this.txLocations.clear();
    for (const [id, account] of accounts) this.accountsById.set(id, account);
    this.tipRecord = tip;
  }
}

/** A new, empty in-memory ChainStore. */
export function createMemoryChainStore(): MemoryChainStore {
  return new MemoryChainStore();
}
