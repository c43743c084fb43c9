/**
 * Store slices for the ledger: the wallet's balance, the best chain's tip and
 * recent blocks, the mempool, and this tab's miner. Like the rest of the
 * store they hold view models that app.ts pushes in; no rule is decided here.
 */
import type { DeploymentStatus } from '../core/ledger/deployments.ts';
import type { Slice } from './store.ts';
import type { AccountView, BlockView, MiningView, ReorgView, TipView, TxView } from './view-models.ts';

/** Blocks kept for the "Recent blocks" table: a screenful and then some; the chain itself lives in IndexedDB. */
export const MAX_BLOCK_VIEWS = 50;
/** Mempool entries kept for display: the best-paying ones; the page is not the place to read thousands. */
export const MAX_MEMPOOL_VIEWS = 200;

/** Accounts kept for the Balances table: the richest ones; every peer of a demo-sized network fits. */
export const MAX_ACCOUNT_VIEWS = 100;

export interface WalletSlice {
  /** Confirmed balance at the tip; undefined until the ledger has loaded. */
  balance?: number;
  /** Balance minus this tab's pending outgoing amounts and fees; undefined when nothing is pending. */
  pendingBalance?: number;
  setBalance(balance: number, pendingBalance?: number): void;
  /** Every account's confirmed balance at the tip, largest first, at most MAX_ACCOUNT_VIEWS. */
  accounts: AccountView[];
  /** How many accounts the chain holds, which may exceed what is kept for display. */
  accountsTotal: number;
  setAccounts(list: readonly AccountView[], total?: number): void;
}

/** A consensus change this build knows, as the next block sees it: the fields of DeploymentStatus the page shows. */
export type DeploymentView = Pick<DeploymentStatus, 'name' | 'bit' | 'state' | 'window' | 'threshold' | 'elapsed' | 'count' | 'share'>;

export interface ChainSlice {
  tip?: TipView;
  /** The deployments this build knows (an empty list for a build that knows none). */
  deployments: DeploymentView[];
  /** The lowest fee the next block takes (Ledger.nextBlockParams: an ACTIVE deployment may raise it); undefined until the ledger loads. */
  nextBlockMinFee?: number;
  /** Replaces both; unchanged values leave the state alone, so a poll does not re-render. */
  setDeployments(list: readonly DeploymentView[], nextBlockMinFee: number): void;
  /** Newest first by height, one per hash, at most MAX_BLOCK_VIEWS. */
  blocks: BlockView[];
  /** The last reorganisation, shown for a while as a notice. */
  lastReorg?: ReorgView;
  setTip(tip: TipView): void;
  /** Adds or replaces blocks by hash and keeps the newest MAX_BLOCK_VIEWS by height. */
  addBlocks(blocks: readonly BlockView[]): void;
  /** Drops blocks a reorg disconnected. */
  removeBlocks(hashes: readonly string[]): void;
  /** Records a reorg and drops its disconnected blocks (so calling removeBlocks as well is harmless). */
  noteReorg(reorg: ReorgView): void;
}

export interface MempoolSlice {
  /** In the order given (the mempool's fee-rate order), one per id, at most MAX_MEMPOOL_VIEWS. */
  mempool: TxView[];
  /** How many transactions the mempool holds, which may exceed what is kept for display. */
  mempoolTotal: number;
  /** Replaces the list; `total` is the mempool's full size when the list was cut short. */
  setMempool(list: readonly TxView[], total?: number): void;
}

export interface MiningSlice {
  mining: MiningView;
  setMining(patch: Partial<MiningView>): void;
}

/** Higher blocks first; at one height (competing blocks), the later received first. */
function byHeightDesc(a: BlockView, b: BlockView): number {
  return b.height - a.height || b.receivedAtMs - a.receivedAtMs;
}

function withoutBlocks(blocks: BlockView[], hashes: readonly string[]): BlockView[] {
  if (hashes.length === 0) return blocks;
  const gone = new Set(hashes);
  const kept = blocks.filter((block) => !gone.has(block.hash));
  return kept.length === blocks.length ? blocks : kept;
}

/** Larger balance first; ties by id, so the order is the same in every tab. */
function byBalanceDesc(a: AccountView, b: AccountView): number {
  return b.balance - a.balance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export const createWalletSlice: Slice<WalletSlice> = (set) => ({
  accounts: [],
  accountsTotal: 0,
  setBalance: (balance, pendingBalance) => set({ balance, pendingBalance }),
  setAccounts: (list, total) => {
    const accounts = [...list].sort(byBalanceDesc).slice(0, MAX_ACCOUNT_VIEWS);
    set({ accounts, accountsTotal: Math.max(total ?? list.length, accounts.length) });
  },
});

const sameDeployment = (a: DeploymentView, b: DeploymentView) =>
  a.name === b.name && a.bit === b.bit && a.state === b.state && a.window === b.window && a.threshold === b.threshold && a.elapsed === b.elapsed && a.count === b.count;

export const createChainSlice: Slice<ChainSlice> = (set) => ({
  blocks: [],
  deployments: [],
  setDeployments: (list, nextBlockMinFee) =>
    set((state) => {
      const same = list.length === state.deployments.length && list.every((d, i) => sameDeployment(d, state.deployments[i]!));
      if (same && nextBlockMinFee === state.nextBlockMinFee) return state;
      const deployments = same ? state.deployments : list.map(({ name, bit, state: phase, window, threshold, elapsed, count, share }) => ({ name, bit, state: phase, window, threshold, elapsed, count, share }));
      return { deployments, nextBlockMinFee };
    }),
  setTip: (tip) => set({ tip: { ...tip } }),
  addBlocks: (incoming) =>
    set((state) => {
      if (incoming.length === 0) return state;
      const byHash = new Map(state.blocks.map((block) => [block.hash, block]));
      for (const block of incoming) byHash.set(block.hash, block);
      return { blocks: [...byHash.values()].sort(byHeightDesc).slice(0, MAX_BLOCK_VIEWS) };
    }),
  removeBlocks: (hashes) =>
    set((state) => {
      const blocks = withoutBlocks(state.blocks, hashes);
      return blocks === state.blocks ? state : { blocks };
    }),
  noteReorg: (reorg) => set((state) => ({ lastReorg: { ...reorg }, blocks: withoutBlocks(state.blocks, reorg.disconnected) })),
});

export const createMempoolSlice: Slice<MempoolSlice> = (set) => ({
  mempool: [],
  mempoolTotal: 0,
  setMempool: (list, total) => {
    const seen = new Set<string>();
    const mempool: TxView[] = [];
    for (const tx of list) {
      if (seen.has(tx.id)) continue;
      seen.add(tx.id);
      mempool.push(tx);
    }
    const unique = mempool.length;
    mempool.length = Math.min(unique, MAX_MEMPOOL_VIEWS);
    set({ mempool, mempoolTotal: Math.max(total ?? unique, mempool.length) });
  },
});

export const createMiningSlice: Slice<MiningSlice> = (set) => ({
  mining: { on: false, hashRate: 0, blocksFound: 0 },
  setMining: (patch) => set((state) => ({ mining: { ...state.mining, ...patch } })),
});
