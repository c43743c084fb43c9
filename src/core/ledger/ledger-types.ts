/**
 * The ledger's public shapes (ledger.ts implements them): components, init,
 * acceptance results, tip events and the Ledger interface itself.
 */
import type { Emitter } from '../emitter.ts';
import type { Tx } from '../tx.ts';
import type { BlockHash, Clock, Logger, PeerId, TxId, Verifier } from '../types.ts';
import type { DeploymentStatus } from './deployments.ts';
import type { ChainParams } from './params.ts';
import type { Account, Block, BlockHeader, ChainStore, LedgerResult } from './types.ts';

export interface LedgerComponents {
  store: ChainStore;
  verifier: Verifier;
  clock: Clock;
  log: Logger;
}

export interface LedgerInit {
  network: string;
  /**
   * Overrides of the network's parameters, for tests and the simulator only:
   * every node of a network must use the same ones (the genesis hash changes
   * with genesisTimeMs and genesisTarget). The one exception is `deployments`:
   * a build that lacks one (params.ts, withoutDeployments) follows the chain all the same.
   */
  params?: Partial<ChainParams>;
}

export type BlockSource = PeerId | 'self';

export interface BlockAcceptance {
  status: 'connected' | 'reorged' | 'side-branch' | 'orphan' | 'known';
  /**
   * Blocks that joined the best chain, lowest first (orphans adopted on the way included). For
   * acceptBlock calls that waited together and shared one group commit, the group's net change.
   */
  connected: Block[];
  /** Blocks that left the best chain, old tip first; their transactions go back to the mempool. */
  disconnected: Block[];
  /** For an orphan: the earliest missing ancestor, to fetch from the peer. */
  missingParent?: BlockHash;
}

export interface TipInfo {
  hash: BlockHash;
  height: number;
  chainWork: bigint;
  timeMs: number;
}

export interface TipEvent {
  connected: Block[];
  disconnected: Block[];
  tip: TipInfo;
}

export interface HeaderInfo {
  hash: BlockHash;
  header: BlockHeader;
  height: number;
  chainWork: bigint;
  /** 'best': on the best chain; 'side': valid, off it; 'invalid': broke a rule (see invalidReason). */
  status: 'best' | 'side' | 'invalid';
  invalidReason?: string;
}

export type LedgerEvents = {
  tip: [event: TipEvent];
  /**
   * Blocks that passed every ledger rule (proof-of-work, signatures, the
   * state transition) and are about to be stored; `tip` follows once they
   * are. Valid whether or not the store write then succeeds, so a node may
   * relay them at once instead of after its own commit (block-relay.ts).
   */
  validated: [blocks: readonly Block[]];
  /** The stored state was corrupt and has been rebuilt from stored blocks. */
  rebuilt: [reason: string];
};

export interface Ledger {
  readonly network: string;
  readonly params: Readonly<ChainParams>;
  readonly genesisHash: BlockHash;
  readonly events: Emitter<LedgerEvents>;
  /** True once a corrupt stored state has been detected and rebuilt; rebuildReason says why. */
  readonly rebuilt: boolean;
  readonly rebuildReason: string | undefined;
  tip(): TipInfo;
  /**
   * The confirmed account at the tip the last `tip` event announced; the zero account for an
   * unknown id. While a reorg is half-way (between its store commits) this is still the state
   * before it, the one the mempool agrees with: a wallet reading the half-way state reused the
   * nonces of its own disconnected transactions (ledger-reorg.test.ts stops a reorg half-way and checks).
   */
  account(id: PeerId): Account;
  accounts(): Iterable<[PeerId, Account]>;
  /** Coins created on the best chain (block rewards); always the sum of all balances. */
  totalIssued(): number;
  headerEntry(hash: BlockHash): HeaderInfo | undefined;
  /** True when nothing needs fetching: the block is indexed (valid or invalid), waiting as an orphan, or recently refused. */
  hasBlock(hash: BlockHash): boolean;
  getBlock(hash: BlockHash): Promise<Block | undefined>;
  ancestorAt(height: number): HeaderInfo | undefined;
  locator(): BlockHash[];
  headersAfter(locator: readonly BlockHash[], max: number): BlockHeader[];
  txLocation(id: TxId): Promise<{ blockHash: BlockHash; height: number } | undefined>;
  acceptBlock(block: Block, source?: BlockSource): Promise<LedgerResult<BlockAcceptance>>;
  /** Checks a header before fetching its body: 'known', 'orphan' (parent unknown) or 'valid' in context. */
  checkHeader(header: BlockHeader): LedgerResult<'known' | 'orphan' | 'valid'>;
  checkTx(tx: Tx): LedgerResult<void>;
  /** A header on the tip that account() belongs to (during a reorg, the tip before it), for `txs`. */
  buildHeaderTemplate(miner: PeerId, txs: readonly Tx[], timeMs: number): BlockHeader;
  /** Each deployment this build knows, as the next block on the tip of account() sees it (deployments.ts). */
  deployments(): DeploymentStatus[];
  /**
   * The parameters the next block on that tip is held to: `params` with every ACTIVE
   * deployment applied (minfee2: minFee 2). The mempool, relay and wallet follow these,
   * so this build's miners never build a block its own rules refuse.
   */
  nextBlockParams(): Readonly<ChainParams>;
}
