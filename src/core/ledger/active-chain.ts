/**
 * The best chain and the account state at its tip, kept in memory and in the
 * store in lock step: every connect and disconnect is one atomic store commit,
 * and memory changes only after that commit succeeds, so a failed write leaves
 * both at the previous tip. Several blocks connected together (a path) share
 * one commit: the group commit of docs/PERFORMANCE.md, "Late-joiner sync".
 */
import type { PeerId } from '../types.ts';
import type { HeaderEntry } from './header-index.ts';
import { issuedAt, type ChainParams } from './params.ts';
import { applyBlock, undoBlock, type AccountView } from './state.ts';
import { EMPTY_STATE_HASH, StateDigest } from './state-digest.ts';
import type { Account, Block, BlockUndo, ChainStore, ConnectCommit, LedgerReject, TipRecord } from './types.ts';

/** A block to connect, under the header entry it is indexed as. */
export interface PathBlock {
  entry: HeaderEntry;
  block: Block;
}

export class ActiveChain {
  /** active[h] is the best chain's entry at height h. */
  private active: HeaderEntry[];
  readonly accounts = new Map<PeerId, Account>();
  private digest = new StateDigest();
  /**
   * While an activation runs: each account it changed, as it was before (null: absent).
   * A reorg disconnects and connects in several store commits, and the mempool learns of
   * the change only from the one `tip` event at the end; in between, the accounts in
   * memory are half-way. Readers that must agree with the mempool (the wallet's next
   * nonce, admission, block templates) read the settled state instead (settledAccount).
   */
  private settled: Map<PeerId, Account | null> | undefined;
  /** While an activation runs: the tip it started from, which the settled accounts belong to. */
  private settledTipEntry: HeaderEntry | undefined;

  constructor(
    private readonly store: ChainStore,
    private readonly params: Readonly<ChainParams>,
    private readonly genesis: HeaderEntry,
    private readonly genesisBlock: Block,
    /** Called with the blocks of a connect that passed every rule, before they are stored (LedgerEvents.validated). */
    private readonly onValidated: (blocks: readonly Block[]) => void = () => undefined,
  ) {
    this.active = [genesis];
  }

  tip(): HeaderEntry {
    return this.active[this.active.length - 1]!;
  }

  at(height: number): HeaderEntry | undefined {
    return this.active[height];
  }

  contains(entry: HeaderEntry): boolean {
    return this.active[entry.height] === entry;
  }

  stateHash(): string {
    return this.digest.hex();
  }

  /** Coins issued on the best chain: the only source of coins is the block reward. */
  issued(): number {
    return issuedAt(this.tip().height, this.params);
  }

  tipRecord(entry: HeaderEntry = this.tip(), stateHash = this.digest.hex()): TipRecord {
    return { hash: entry.hash, height: entry.height, chainWork: entry.chainWork.toString(), stateHash };
  }

  /** An activation starts: from now on the settled state keeps what it changes (settledAccount). */
  beginActivation(): void {
    this.settled ??= new Map();
    this.settledTipEntry ??= this.tip();
  }

  /** The activation is over and its `tip` event about to go out: the settled state is the current one again. */
  endActivation(): void {
    this.settled = undefined;
    this.settledTipEntry = undefined;
  }

  /** The tip as of the last finished activation: the one the settled accounts (settledAccount) belong to. */
  settledTip(): HeaderEntry {
    return this.settledTipEntry ?? this.tip();
  }

  /** The account as of the last finished activation (the state the mempool agrees with). */
  settledAccount(id: PeerId): Account | undefined {
    if (this.settled?.has(id)) return this.settled.get(id) ?? undefined;
    return this.accounts.get(id);
  }

  private rememberSettled(id: PeerId): void {
    if (this.settled && !this.settled.has(id)) this.settled.set(id, this.accounts.get(id) ?? null);
  }

  /** Adopts a loaded, already verified state at `tip` (memory only). */
  load(tip: HeaderEntry, accounts: [PeerId, Account][], digest: StateDigest): void {
    const chain: HeaderEntry[] = [];
    for (let entry: HeaderEntry | undefined = tip; entry; entry = entry.parent) chain.push(entry);
    this.active = chain.reverse();
    for (const id of this.accounts.keys()) this.rememberSettled(id);
    for (const [id] of accounts) this.rememberSettled(id);
    this.accounts.clear();
    for (const [id, account] of accounts) this.accounts.set(id, { ...account });
    this.digest = digest;
  }

  /** Writes the genesis state (a new database). */
  async initGenesis(): Promise<void> {
    await this.store.commitConnect({
      block: this.genesisBlock,
      undo: { hash: this.genesis.hash, before: [], prevStateHash: EMPTY_STATE_HASH },
      accounts: [],
      tip: this.tipRecord(this.genesis, EMPTY_STATE_HASH),
    });
    this.load(this.genesis, [], new StateDigest());
  }

  /** Corruption recovery: wipes the stored state back to genesis (blocks stay for replay). */
  async resetToGenesis(): Promise<void> {
    await this.store.resetState({ tip: this.tipRecord(this.genesis, EMPTY_STATE_HASH), accounts: [] });
    await this.initGenesis();
  }

  /**
   * Applies `path` in order (its first block the child of the tip, each next
   * the child of the one before; signatures already verified) and commits
   * every block before the first that breaks a ledger rule in ONE store
   * commit. Memory changes only after that commit succeeds. Returns how many
   * blocks joined the chain, and the rule the next one broke, if any: a bad
   * block never takes the good ones before it down with it.
   */
  async connectPath(path: readonly PathBlock[]): Promise<{ connected: number; failure?: LedgerReject }> {
    const staged = new Map<PeerId, Account>();
    const view: AccountView = { get: (id) => staged.get(id) ?? this.accounts.get(id) };
    const digest = this.digest.clone();
    const commits: ConnectCommit[] = [];
    let failure: LedgerReject | undefined;
    let parent = this.tip();
    for (const { entry, block } of path) {
      if (entry.parent !== parent) throw new RangeError(`block ${entry.hash} does not extend ${parent.hash}`);
      const applied = applyBlock(view, block, this.params, { hash: entry.hash, prevStateHash: digest.hex() });
      if (!applied.ok) {
        failure = applied;
        break;
      }
      for (const [id, after] of applied.value.changed) {
        digest.replace(id, view.get(id), after);
        staged.set(id, after);
      }
      commits.push({ block, undo: applied.value.undo, accounts: applied.value.changed, tip: this.tipRecord(entry, digest.hex()) });
      parent = entry;
    }
    if (commits.length > 0) {
      this.onValidated(commits.map((commit) => commit.block));
      await this.store.commitConnects(commits);
    }
    for (const [id, account] of staged) {
      this.rememberSettled(id);
      this.accounts.set(id, account);
    }
    this.digest = digest;
    for (let i = 0; i < commits.length; i++) this.active.push(path[i]!.entry);
    return failure ? { connected: commits.length, failure } : { connected: commits.length };
  }

  /**
   * Disconnects the tip using its stored undo data. Returns the block, or a
   * string saying what is missing or inconsistent (storage corruption: the
   * caller rebuilds rather than trust it).
   */
  async disconnectTip(): Promise<Block | string> {
    const tip = this.tip();
    const parent = tip.parent;
    if (!parent) throw new RangeError('genesis cannot be disconnected');
    const [undo, block] = await Promise.all([this.store.getUndo(tip.hash), this.store.getBlock(tip.hash)]);
    if (!block) return `block ${tip.hash} is missing from the store`;
    if (!undo || undo.hash !== tip.hash) return `undo data of block ${tip.hash} is missing`;
    const digest = this.digest.clone();
    for (const { id, account } of undo.before) digest.replace(id, this.accounts.get(id), account);
    if (digest.hex() !== undo.prevStateHash) return `undo data of block ${tip.hash} does not restore the recorded state digest`;
    if (!this.undoCoversBlock(undo, block)) return `undo data of block ${tip.hash} does not cover the accounts the block touched`;
    const restored: [PeerId, Account | null][] = undo.before.map(({ id, account }) => [id, account]);
    await this.store.commitDisconnect({ hash: tip.hash, accounts: restored, tip: this.tipRecord(parent, digest.hex()) });
    for (const { id } of undo.before) this.rememberSettled(id);
    undoBlock(this.accounts, undo);
    this.digest = digest;
    this.active.pop();
    return block;
  }

  private undoCoversBlock(undo: BlockUndo, block: Block): boolean {
    const ids = new Set(undo.before.map((item) => item.id));
    if (!ids.has(block.header.miner)) return false;
    return block.txs.every((tx) => ids.has(tx.from) && ids.has(tx.to));
  }
}
