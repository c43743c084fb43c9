/** Counters exposed by window.tabmesh.stats(). Names say what they count. */
export function createStats() {
  return {
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    txAccepted: 0,
    txSent: 0,
    txRelayed: 0,
    txRejected: 0,
    txWaiting: 0,
    blocksAccepted: 0,
    blocksDuplicate: 0,
    /** Blocks from peers the ledger refused: invalid ones (the sender is punished) and forgiven ones (block-relay.ts FORGIVEN: a rule an honest peer may not know yet). */
    blocksRefused: 0,
    compactBlockHits: 0,
    compactBlockMisses: 0,
    /** Compact blocks that waited for transactions already on their way (fetched or being verified) instead of asking for them again; each ends as a hit or, after the wait, a miss. */
    compactBlockWaits: 0,
    blockTxsRequested: 0,
    /** Blocks sync fetched whole (BLOCK and every transaction in one round trip: catching up). */
    blocksRequested: 0,
    /** Blocks sync fetched compact, as an announcement would (a node at most two blocks behind; chain-sync.ts). */
    blocksRequestedCompact: 0,
    headersRequested: 0,
    /** Headers asked again on the tick: a peer still has a block we have not indexed (chain-sync liveness). */
    headersRetried: 0,
    headersReceived: 0,
    unsolicitedDropped: 0,
    invSent: 0,
    invReceived: 0,
    duplicateInv: 0,
    announcementsAvoided: 0,
    announcementsDelayed: 0,
    /** Transaction announcements sent after waiting because the peer records put the receiver on a link to the signer. */
    announcementsHeldForSigner: 0,
    getDataSent: 0,
    getDataReceived: 0,
    fetchRetries: 0,
    /** Bodies of this tab's own transactions sent unannounced to a peer (their first hop). */
    txPushed: 0,
    /** Bodies a peer pushed of a transaction it signed itself, accepted without a request. */
    txPushesReceived: 0,
    /** Pushed bodies that came after the transaction had arrived another way (counted in duplicatesDropped too). */
    txPushesLate: 0,
    txBodiesReceived: 0,
    blockBodiesReceived: 0,
    compactBlockFallbacks: 0,
    blockRebuildsAbandoned: 0,
    rateLimited: 0,
    duplicatesDropped: 0,
    invalidDropped: 0,
    framesRejected: 0,
    /** Links closed because the peer's first frame has another framing version (a build from before negotiation). */
    versionMismatches: 0,
    /** Links closed, without a ban, because the peer's newest protocol version is below our oldest (an older build). */
    peersTooOld: 0,
    /** Links closed, without a ban, because the peer's oldest protocol version is above our newest (a newer build: this one should update). */
    peersTooNew: 0,
    /** GOODBYE frames received: a peer said why it closed the link. */
    goodbyesReceived: 0,
    /** Frames of an optional type this node does not know (a newer build's, or a module it does not run), ignored. */
    unknownFrames: 0,
    /** Module frames not sent because the peer does not advertise the module's feature bit. */
    moduleFramesWithheld: 0,
    peersBanned: 0,
    /** Peers held off for a while without a ban for misbehaviour (inventory.ts: a stalled announcer). */
    peersHeldOff: 0,
    /** HELLOs refused for a missing or wrong identity stamp (node.ts; a wrong one also bans). */
    stampRejected: 0,
    linksOpened: 0,
    linksClosed: 0,
    signalsRejected: 0,
    identityClashes: 0,
  };
}

export type NodeStats = ReturnType<typeof createStats>;
export type StatName = keyof NodeStats;
