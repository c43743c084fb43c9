/**
 * Counters of the peers module, merged into window.tabmesh.stats() by the app
 * (prefixed "peers"). Kept here rather than in core/stats.ts so the module
 * plugs in without touching the node.
 */
export function createPeersStats() {
  return {
    /** Records in PEER_RECORDS frames received. */
    recordsReceived: 0,
    /** Verified records that were news (added to or replaced in the book). */
    recordsAccepted: 0,
    /** Records we already had (same or newer), skipped before verifying. */
    recordsStale: 0,
    recordsExpired: 0,
    recordsWrongNetwork: 0,
    /** Records whose identity stamp has too little work: every peer checks before it forwards, so the sender is punished. */
    recordsBadStamp: 0,
    /** Records whose signature failed: the sender is punished. */
    recordsRejected: 0,
    recordsSent: 0,
    recordFramesSent: 0,
    /** Records not queued because a link's queue was full (gossip is lossy; refreshes repair it). */
    recordsQueueDropped: 0,
    ownRecordsSigned: 0,
    getPeersSent: 0,
    getPeersReceived: 0,
    /** Mesh signals this tab originated (send()). */
    meshSignalsSent: 0,
    meshSignalsForwarded: 0,
    /** Mesh signals addressed to this tab, handed to the dialer. */
    meshSignalsDelivered: 0,
    meshSignalsDuplicate: 0,
    meshSignalsExpired: 0,
    meshSignalsHopLimit: 0,
    meshSignalsNoRoute: 0,
    /** Forged signals: the sender is punished. */
    meshSignalsRejected: 0,
    /** Forwards skipped because our own per-link send budget was spent. */
    meshSignalsShaped: 0,
    /** Peers punished for exceeding a rate limit of this module. */
    rateLimitViolations: 0,
  };
}

export type PeersStats = ReturnType<typeof createPeersStats>;
