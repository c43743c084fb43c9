/** The deterministic network simulator (GUIDE, "Tests, in tiers", 3). */
export { createPrng, type Prng } from './prng.ts';
export { createVirtualClock, DEFAULT_EPOCH_MS, type VirtualClock } from './virtual-clock.ts';
export { createScheduler, SchedulerBusyError, type EventHandle, type RunOptions, type RunResult, type Scheduler } from './scheduler.ts';
export { createSimVerifier, type SimVerifier, type SimVerifierStats } from './sim-verifier.ts';
export { createSimLinkPair, type LinkConditions, type LinkCounters, type SimLinkPair } from './sim-link.ts';
export { createSimSigner, type SimSigner } from './sim-identity.ts';
export { defaultNodeFactory, type LedgerSimNode, type SimNode, type SimNodeComponents, type SimNodeFactory, type SimNodeLike, type TxArrival } from './sim-node.ts';
export { createSimNetwork, isRejection, SimRejectedError, type JoinOptions, type SimNetwork, type SimNetworkInit } from './sim-network.ts';
export type { PartitionMode } from './partitions.ts';
export type { SimStats } from './sim-stats.ts';
export { frameKind, frameTypeIs, isKeepalive } from './frame-kind.ts';
export { hopCounts, percentile, summarize, type Summary } from './metrics.ts';
export { randomConnectedGraph, isConnected, type Edge } from './topology.ts';
export { seedNote, simSeed, withSeed } from './seed.ts';
export { allAtTip, fund, mineBlock, tipsAgree, type MineOptions, type MinerNodeLike } from './sim-mining.ts';
