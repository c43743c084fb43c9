/** Peer records, the peer book, peer exchange and signaling through the mesh (issue 4 §1–2). */
export { createPeersModule, DEFAULT_PEERS_SETTINGS, type PeersComponents, type PeersInit, type PeersModule } from './peers-module.ts';
export { createPeerBook, type PeerBook, type PeerBookInit, type UpsertOutcome } from './peer-book.ts';
export { BackoffTable, type BackoffTableInit } from './backoff-table.ts';
export { TokenBuckets, type TokenBucketInit } from '../token-bucket.ts';
export * from './peer-record.ts';
export * from './peers-frames.ts';
export type { PeersStats } from './peers-stats.ts';
