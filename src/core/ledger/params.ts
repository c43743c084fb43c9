/**
 * Network parameters (docs/PROTOCOL.md, "Network parameters"): one documented
 * object per network type. A network whose name starts with `test` uses
 * TEST_PARAMS; every other name uses MAIN_PARAMS. The network name itself is
 * bound into every transaction signature and into the genesis block
 * (block.ts), so two networks with the same parameters still never mix.
 */
import { TX_BYTES } from '../tx.ts';

export type NetworkKind = 'main' | 'test';

/**
 * A consensus change activated by miners (deployments.ts; docs/PROTOCOL.md,
 * "Deployments"): BIP9 version bits, counted per window of heights.
 */
export interface Deployment {
  /** Unique on a network; names the rule in code (deployments.ts) and on the page. */
  name: string;
  /** The header version bit miners set to signal readiness, 0-4 (deployments.ts, VERSION_SIGNAL_BITS). */
  bit: number;
  /** The first window starting at or after this height is STARTED (signals count from there). */
  startHeight: number;
  /** A window starting at or after this height ends signalling: FAILED unless the window before locked it in. */
  timeoutHeight: number;
  /** Blocks per signalling window; states change only where a window starts. */
  window: number;
  /** Signalling blocks in one window that lock the deployment in (at most window). */
  threshold: number;
}

export interface ChainParams {
  kind: NetworkKind;
  /** Units paid to the miner of every block above genesis (plus that block's fees). Genesis pays nothing. */
  blockReward: number;
  /** Smallest fee a transaction may carry, in units. */
  minFee: number;
  /** The block interval difficulty retargeting aims at. */
  targetBlockMs: number;
  /** Retarget every this many blocks; 0 means the target never changes. */
  retargetIntervalBlocks: number;
  /** One retarget moves the target by at most this factor either way (Bitcoin: 4). */
  maxRetargetFactor: number;
  /** The easiest target a block may carry: a larger 256-bit number is easier. */
  powLimit: bigint;
  /** The target of the genesis block, and of every block until the first retarget. */
  genesisTarget: bigint;
  /** The genesis block's timestamp. Clocks (including the simulator's virtual one) must run after it. */
  genesisTimeMs: number;
  /** Most transactions in one block. */
  maxBlockTxs: number;
  /** Largest block encoding (header, count, transactions), checked before anything is allocated. */
  maxBlockBytes: number;
  /** A block's time may be at most this far ahead of the validating node's clock (Bitcoin: 2 hours). */
  maxFutureBlockMs: number;
  /** A block's time must exceed the median of this many previous blocks' times (Bitcoin: 11). */
  medianTimeSpan: number;
  /** Blocks whose parent is unknown, held until the parent arrives; the oldest is evicted beyond this. */
  maxOrphanBlocks: number;
  /** Most headers one headersAfter() answer returns (Bitcoin's MAX_HEADERS_RESULTS is 2000). */
  maxHeadersPerRequest: number;
  /** The mempool holds at most this many transactions and then evicts the lowest fee rate. */
  mempoolMaxTxs: number;
  /** A transaction waiting longer than this in the mempool is dropped. */
  mempoolExpiryMs: number;
  /** Zero bits an identity stamp's hash must start with (identity-stamp.ts): what a peer id costs. */
  identityStampBits: number;
  /**
   * The consensus changes this build knows, with their schedules (deployments.ts). A build
   * that lacks one still follows a chain that activates it (every such change only tightens
   * validity); withoutDeployments() builds that "previous build" for tests and the app.
   */
  deployments: readonly Readonly<Deployment>[];
}

const TWO_256 = 1n << 256n;

/**
 * Hash rate that sets MAIN's genesis difficulty: noble's sha256 over a
 * 149-byte header measured 649k, 668k and 682k hashes/s in a Node 20 loop on
 * this machine (2 cores); a browser worker running the same code is in the
 * same range. 670k/s × 10 s ≈ 6.7 M expected hashes per block.
 */
const MEASURED_HASHES_PER_SECOND = 670_000;
const MAIN_TARGET_BLOCK_MS = 10_000;
const MAIN_EXPECTED_HASHES_PER_BLOCK = BigInt((MEASURED_HASHES_PER_SECOND * MAIN_TARGET_BLOCK_MS) / 1000);

/** 2025-01-01T00:00:00Z; any fixed past instant works, it only anchors the first median-time rule. */
const GENESIS_TIME_MS = 1_735_689_600_000;

/**
 * 2000 transactions × 153 bytes ≈ 300 KB: WebCrypto verifies a full block's
 * signatures in under 0.1 s on one core (about 23k/s measured, docs/GUIDE), and
 * at one block per 10 s that is 200 tx/s of capacity, far above a tab network's load.
 */
const MAX_BLOCK_TXS = 2000;
/** Header (149) + tx count (4) + the transactions; transactions have one fixed size. */
const MAX_BLOCK_BYTES = 149 + 4 + MAX_BLOCK_TXS * TX_BYTES;

const SHARED = {
  /** 50,000 units a block; with min fee 1 this leaves room for cheap transfers of small amounts. */
  blockReward: 50_000,
  /** The wallet's default fee is 1: every transaction pays something, so spam costs coins. */
  minFee: 1,
  /** 4, as Bitcoin: bounds how fast a burst of timestamps can move difficulty. */
  maxRetargetFactor: 4,
  genesisTimeMs: GENESIS_TIME_MS,
  maxBlockTxs: MAX_BLOCK_TXS,
  maxBlockBytes: MAX_BLOCK_BYTES,
  /** 2 minutes (Bitcoin: 2 hours): tabs on one machine or a LAN share a clock closely, and 12 block intervals of slack is plenty. */
  maxFutureBlockMs: 120_000,
  /** 11, as Bitcoin. */
  medianTimeSpan: 11,
  /** 64 blocks ≤ 20 MB worst case; headers-first sync makes orphans rare, so this only absorbs reordering. */
  maxOrphanBlocks: 64,
  /** 2000, as Bitcoin; the network layer splits answers into frames ≤ 16 KiB. */
  maxHeadersPerRequest: 2000,
  /** 5000 × 153 bytes ≈ 0.8 MB of encodings: 2.5 full blocks of backlog. */
  mempoolMaxTxs: 5000,
} as const;

/** Name of the first deployment: once ACTIVE, every transfer in a block pays at least MINFEE2_MIN_FEE (deployments.ts). */
export const MINFEE2 = 'minfee2';

/**
 * MAIN's windows: 1,008 blocks ≈ 2.8 hours at 10 s blocks (Bitcoin: 2,016 ≈ 2 weeks), long enough
 * that a share is a measure of hash rate rather than luck (σ of a 50% share over 1,008 blocks ≈ 1.6%).
 * Threshold 908 = ⌈0.9 × 1,008⌉ (BIP9: 95%, later 90% in Speedy Trial): a miner with 10% of the hash
 * rate cannot hold activation back alone, yet a tenth of blocks may come from builds that do not know
 * the rule. Start at 0 (window 1 is the first STARTED one), timeout after 52 windows ≈ 6 days.
 */
const MAIN_MINFEE2: Readonly<Deployment> = Object.freeze({ name: MINFEE2, bit: 0, startHeight: 0, timeoutHeight: 52 * 1008, window: 1008, threshold: 908 });

/**
 * TEST's windows: 8 blocks, threshold 6 (75%), so tests and demos see every state in a few dozen
 * blocks. It starts at height 1,024: tests, benches and scenarios mine up to 500 blocks paying fee 1,
 * which an earlier activation would refuse; the simulator and the upgrade demo start it at 0 with a
 * params override (LedgerInit.params). Timeout 100 windows later.
 */
const TEST_MINFEE2: Readonly<Deployment> = Object.freeze({ name: MINFEE2, bit: 0, startHeight: 1024, timeoutHeight: 1024 + 100 * 8, window: 8, threshold: 6 });

/**
 * MAIN: a block about every 10 s when one tab mines on this machine, and
 * difficulty that follows the real hash rate as tabs start and stop mining.
 */
export const MAIN_PARAMS: Readonly<ChainParams> = Object.freeze({
  ...SHARED,
  kind: 'main',
  targetBlockMs: MAIN_TARGET_BLOCK_MS,
  /** 20 blocks ≈ 200 s (Bitcoin: 2016 ≈ 2 weeks): tab hash rate changes in seconds, not months. */
  retargetIntervalBlocks: 20,
  /** 2^240 − 1: 65,536 expected hashes (0.1 s here), room for slow devices 100× below this machine. */
  powLimit: (1n << 240n) - 1n,
  /** work = floor(2^256 / (target + 1)) ≈ MAIN_EXPECTED_HASHES_PER_BLOCK (6.7 M). */
  genesisTarget: TWO_256 / MAIN_EXPECTED_HASHES_PER_BLOCK - 1n,
  /** 1 hour, as a tab session: long enough to survive a slow mining hour, short enough to forget junk. */
  mempoolExpiryMs: 60 * 60_000,
  /**
   * 20 bits: 2^20 ≈ 1 M expected hashes, about a second in a tab's worker (the
   * midstate searcher ran 0.9-1.1 M hashes/s here). A thousand Sybil ids cost
   * a core 17 minutes; checking one costs one hash.
   */
  identityStampBits: 20,
  deployments: Object.freeze([MAIN_MINFEE2]),
});

/**
 * TEST: proof-of-work so easy that `mine(n)` returns at once (1 hash in 16
 * meets the target), a constant target, and a short mempool expiry for tests.
 */
export const TEST_PARAMS: Readonly<ChainParams> = Object.freeze({
  ...SHARED,
  kind: 'test',
  /** Nominal only: the target never moves on test networks. */
  targetBlockMs: 10_000,
  retargetIntervalBlocks: 0,
  /** 2^252 − 1: a hash meets it when its first 4 bits are zero, 16 hashes expected, work 16 per block. */
  powLimit: (1n << 252n) - 1n,
  genesisTarget: (1n << 252n) - 1n,
  /** 10 minutes: tests and demos see expiry without waiting an hour. */
  mempoolExpiryMs: 10 * 60_000,
  /** 8 bits: 256 hashes, trivial for tests and the simulator, yet a wrong stamp still fails 255 times in 256. */
  identityStampBits: 8,
  deployments: Object.freeze([TEST_MINFEE2]),
});

/** The parameters of `network`: TEST_PARAMS for names starting with `test`, MAIN_PARAMS otherwise. */
export function chainParams(network: string): Readonly<ChainParams> {
  return network.startsWith('test') ? TEST_PARAMS : MAIN_PARAMS;
}

/** The reward of the block at `height`: nothing for genesis, then a constant (no halving). */
export function blockRewardAt(height: number, params: Readonly<ChainParams>): number {
  return height === 0 ? 0 : params.blockReward;
}

/** Coins issued by the chain ending at `height`: the only source of coins is the block reward. */
export function issuedAt(height: number, params: Readonly<ChainParams>): number {
  return height * params.blockReward;
}

/**
 * `deployments` without the named ones (all of them when `names` is omitted): the
 * parameters of a build that does not know them, as `{ deployments: withoutDeployments(…) }`
 * in LedgerInit.params, FullNodeInit.params or MeshPeerInit.params. Such a build never
 * signals or enforces them, and still follows a chain that activates them.
 */
export function withoutDeployments(deployments: readonly Readonly<Deployment>[], names?: readonly string[]): Readonly<Deployment>[] {
  return names === undefined ? [] : deployments.filter((deployment) => !names.includes(deployment.name));
}
