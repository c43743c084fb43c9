/**
 * The peers module inside real nodes over memory links (issue 4 §2, §6):
 * records spread, signals cross the mesh, and forged or flooding peers are
 * punished while expired and other-network records are only dropped.
 */
import { describe, expect, it } from 'vitest';
import { rawPeer } from '../../../test/helpers/raw-peer.ts';
import { nodeVerifier, nonceWithWork, testSigner } from '../../../test/helpers/test-keys.ts';
import { until } from '../../../test/helpers/until.ts';
import { createMemoryLinkPair } from '../../net/memory-link.ts';
import { fromHex, toHex } from '../bytes.ts';
import { FRAME_VERSION } from '../frames.ts';
import { createFullNode } from '../full-node.ts';
import { MemoryChainStore } from '../ledger/memory-chain-store.ts';
import { sealSignal } from '../signal-envelope.ts';
import type { Signer } from '../types.ts';
import { signPeerRecord } from './peer-record.ts';
import { GET_PEERS, MESH_SIGNAL, PEER_RECORDS, decodePeersFrame, encodeGetPeers, encodeMeshSignal, encodePeerRecords } from './peers-frames.ts';
import { createPeersModule } from './peers-module.ts';

const NETWORK = 'test';
const quiet = { info: () => undefined, warn: () => undefined };
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
const START_MS = 1_735_689_600_000 + 86_400_000;

function lcg(seed: number) {
  let state = seed;
  return () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

async function makeTab(seed: number, transient: ReadonlySet<string> = new Set(), bookCapacity?: number) {
  const signer = await testSigner(seed);
  const now = { ms: START_MS };
  const clock = { nowMs: () => now.ms };
  const signals: { from: string; hex: string }[] = [];
  const peers = createPeersModule({
    signer, verifier: nodeVerifier, random: lcg(seed), onSignal: (from, hex) => signals.push({ from, hex }),
    isTransientLink: (peerId) => transient.has(peerId),
  }, { network: NETWORK, ...(bookCapacity ? { bookCapacity } : {}) });
  const { node, ledger } = await createFullNode({ verifier: nodeVerifier, clock, log: quiet, store: new MemoryChainStore(), modules: [peers.factory] }, { network: NETWORK, peerId: signer.peerId });
  return { signer, now, peers, node, ledger, signals, id: signer.peerId };
}
type Tab = Awaited<ReturnType<typeof makeTab>>;

function link(a: Tab, b: Tab) {
  const pair = createMemoryLinkPair(a.id, b.id);
  a.node.addLink(pair.atA);
  b.node.addLink(pair.atB);
  return pair;
}

/** A hand-driven peer that can send module frames and records the ones it receives. */
async function rogue(tab: Tab, seed = 50) {
  const signer = await testSigner(seed);
  const peer = rawPeer(tab.node, tab.id, signer, NETWORK, tab.ledger.tip());
  const frames: { type: number; payload: Uint8Array }[] = [];
  peer.link.onMessage((bytes) => { if (bytes[1]! >= 0x10) frames.push({ type: bytes[1]!, payload: bytes.slice(2) }); });
  const sendModule = (type: number, payload: Uint8Array) => peer.sendBytes(new Uint8Array([FRAME_VERSION, type, ...payload]));
  await until(() => tab.node.peers().length > 0, 'the rogue to be linked');
  return { signer, peer, frames, sendModule };
}

const offer = (signer: Signer, to: string, atMs: number, sdp = 'x') => sealSignal(NETWORK, signer, to, JSON.stringify({ type: 'offer', sdp }), atMs);

describe('peers module over memory links', () => {
  it("files each record under who told us, and the peers we dialled under \"tried\"", async () => {
    const [a, b, c] = [await makeTab(1), await makeTab(2), await makeTab(3)];
    link(b, c); // b dialled c
    await until(() => b.peers.knownPeers().includes(c.id), "c's record at b");
    link(a, b); // a dialled b, which then tells a of c
    await until(() => a.peers.knownPeers().includes(c.id) && b.peers.knownPeers().includes(a.id), 'the records of the line');
    expect(a.peers.book.sourceOf(c.id)).toBe(b.id);
    expect(a.peers.book.sourceOf(b.id)).toBe(b.id); // its own record
    expect(a.peers.book.tableOf(b.id)).toBe('tried');
    expect(a.peers.groupOf(b.id)).toMatch(/^tried\/\d+$/);
    expect(a.peers.book.tableOf(c.id)).toBe('new');
    expect(a.peers.stats().bookTried).toBe(1);
    // b did not dial a: an inbound peer is not "tried" (whoever dials us would move itself there).
    expect(b.peers.book.tableOf(a.id)).toBe('new');
    expect(b.peers.book.tableOf(c.id)).toBe('tried');
  });

  it('exchanges records on link open and re-signs them, rate-limited, as links change', async () => {
    const [a, b, c] = [await makeTab(1), await makeTab(2), await makeTab(3)];
    link(a, b);
    await until(() => a.peers.knownPeers().includes(b.id) && b.peers.knownPeers().includes(a.id), 'both records');
    expect(a.peers.neighboursOf(a.id)).toEqual([b.id]);
    expect(b.peers.neighboursOf(a.id)).toEqual([b.id]); // a's first record, signed as the link opened, lists b
    expect(a.peers.stats().ownRecordsSigned).toBe(1);

    link(a, c);
    await until(() => a.node.peers().length === 2, 'the second link');
    a.node.tick(); // links changed, but the last signature is under 10 s old
    await settle();
    expect(a.peers.stats().ownRecordsSigned).toBe(1);
    a.now.ms += 10_000;
    a.node.tick();
    await until(() => b.peers.book.get(a.id)?.neighbours.length === 2, "a's new record at b");
    expect(b.peers.book.get(a.id)?.neighbours).toEqual([b.id, c.id].sort());
    expect(a.peers.stats().ownRecordsSigned).toBe(2);
    expect(b.peers.stats()).toMatchObject({ recordsRejected: 0, rateLimitViolations: 0 });
  });

  it('re-signs for outbound links it chose, but lets inbound ones wait for the refresh', async () => {
    const [a, b, c, d] = [await makeTab(1), await makeTab(2), await makeTab(3), await makeTab(4)];
    link(a, b); // a dialled b
    await until(() => b.peers.knownPeers().includes(a.id), "a's record at b");
    expect(a.peers.stats().ownRecordsSigned).toBe(1);

    // c dials a, then leaves: links opened and closed at others' will. Each would otherwise cross the network as a re-sign.
    const inbound = link(c, a);
    await until(() => a.node.peers().length === 2, "c's link");
    a.now.ms += 10_000;
    a.node.tick();
    await settle();
    inbound.atA.close('c leaves');
    await until(() => a.node.peers().length === 1, "c's link to close");
    a.now.ms += 10_000;
    a.node.tick();
    await settle();
    expect(a.peers.stats().ownRecordsSigned).toBe(1);

    // An inbound link still held at the refresh is listed then. The clocks step 10 s at a time, so pings keep the links.
    link(c, a);
    await until(() => a.node.peers().length === 2, "c's second link");
    for (let step = 0; step < 6; step++) {
      for (const tab of [a, b, c]) tab.now.ms += 10_000;
      for (const tab of [a, b, c]) tab.node.tick();
      await settle();
    }
    await until(() => b.peers.book.get(a.id)?.neighbours.length === 2, "a's refreshed record at b");
    expect(a.peers.stats().ownRecordsSigned).toBe(2);

    // A link a dials is news at once (past the 10 s floor).
    link(a, d);
    await until(() => a.node.peers().length === 3, 'the link to d');
    for (const tab of [a, b]) tab.now.ms += 10_000;
    a.node.tick();
    await until(() => b.peers.book.get(a.id)?.neighbours.length === 3, "a's new record at b");
    expect(a.peers.stats().ownRecordsSigned).toBe(3);
  });

  it('leaves a transient link (a feeler) out of its record, so opening and closing one re-signs nothing', async () => {
    const feelerIds = new Set<string>();
    const [a, b, c] = [await makeTab(1, feelerIds), await makeTab(2), await makeTab(3)];
    link(a, b);
    await until(() => b.peers.knownPeers().includes(a.id), "a's record at b");
    feelerIds.add(c.id);
    const feeler = link(a, c);
    await until(() => c.peers.knownPeers().includes(a.id), "a's record at c, sent on the feeler's open");
    a.now.ms += 10_000;
    a.node.tick();
    await settle();
    expect(a.peers.stats().ownRecordsSigned).toBe(1);
    expect(c.peers.book.get(a.id)?.neighbours).toEqual([b.id]);

    feeler.atA.close('feeler done');
    await until(() => a.node.peers().length === 1, 'the feeler to close');
    a.now.ms += 10_000;
    a.node.tick();
    await settle();
    expect(a.peers.stats().ownRecordsSigned).toBe(1);

    // Kept as a real link (promoted), it is a neighbour: the next tick lists it.
    feelerIds.delete(c.id);
    link(a, c);
    await until(() => a.node.peers().length === 2, 'c linked again');
    a.now.ms += 10_000;
    a.node.tick();
    await until(() => b.peers.book.get(a.id)?.neighbours.length === 2, "a's new record at b");
    expect(a.peers.stats().ownRecordsSigned).toBe(2);
  });

  it('routes a signal through a common neighbour and the answer back along the reverse route', async () => {
    const [a, b, c] = [await makeTab(1), await makeTab(2), await makeTab(3)];
    link(a, b);
    link(b, c);
    await until(() => a.peers.knownPeers().includes(c.id) && c.peers.knownPeers().includes(a.id), 'a and c to learn of each other through b');
    expect(a.peers.canRoute(c.id)).toBe(true);

    const hex = await offer(a.signer, c.id, a.now.ms);
    expect(a.peers.send(c.id, hex)).toBe(true);
    await until(() => c.signals.length === 1, 'the offer at c');
    expect(c.signals[0]).toEqual({ from: a.id, hex });
    expect(b.peers.stats().meshSignalsForwarded).toBe(1);

    const answer = await sealSignal(NETWORK, c.signer, a.id, JSON.stringify({ type: 'answer', sdp: 'y' }), c.now.ms);
    expect(c.peers.send(a.id, answer)).toBe(true);
    await until(() => a.signals.length === 1, 'the answer at a');
    expect(a.signals[0]!.from).toBe(c.id);
    expect([a, b, c].map((tab) => tab.node.bans().length)).toEqual([0, 0, 0]);
  });

  it('reports no route without neighbours, and refuses envelopes that are not ours', async () => {
    const [a, b] = [await makeTab(1), await makeTab(2)];
    expect(a.peers.send(b.id, await offer(a.signer, b.id, a.now.ms))).toBe(false);
    link(a, b);
    await until(() => a.node.peers().length === 1, 'the link');
    expect(a.peers.send(b.id, await offer(b.signer, a.id, a.now.ms))).toBe(false);
    expect(a.peers.send(b.id, 'not hex')).toBe(false);
  });

  it('answers GET_PEERS with its own record and a sample of its book', async () => {
    const tab = await makeTab(1);
    const { sendModule, frames } = await rogue(tab);
    sendModule(GET_PEERS, encodeGetPeers(24));
    await until(() => frames.some((frame) => frame.type === PEER_RECORDS), 'a PEER_RECORDS reply');
    const decoded = decodePeersFrame(PEER_RECORDS, frames.find((frame) => frame.type === PEER_RECORDS)!.payload);
    expect(decoded.ok && decoded.value.kind === 'records' && decoded.value.records.map((item) => item.record.peerId)).toContain(tab.id);
  });

  it('drops expired and other-network records without punishing the sender', async () => {
    const tab = await makeTab(1);
    const { sendModule } = await rogue(tab);
    const other = await testSigner(60);
    const foreign = await signPeerRecord('another-net', other, { seq: 1, issuedAtMs: START_MS, expiresAtMs: START_MS + 60_000, acceptsInbound: true, neighbours: [] });
    const old = await signPeerRecord(NETWORK, other, { seq: 1, issuedAtMs: START_MS - 120_000, expiresAtMs: START_MS - 60_000, acceptsInbound: true, neighbours: [] });
    sendModule(PEER_RECORDS, encodePeerRecords('another-net', [foreign]));
    sendModule(PEER_RECORDS, encodePeerRecords(NETWORK, [old]));
    await until(() => tab.peers.stats().recordsReceived === 2, 'both records');
    await settle();
    expect(tab.peers.stats()).toMatchObject({ recordsWrongNetwork: 1, recordsExpired: 1, recordsAccepted: 0, recordsRejected: 0 });
    expect(tab.node.bans()).toEqual([]);
  });

  it('drops a copy of a record it holds on its seq alone, before the stamp is checked or the signature verified', async () => {
    const tab = await makeTab(1);
    const { sendModule } = await rogue(tab);
    const other = await testSigner(64);
    const fields = { issuedAtMs: START_MS, expiresAtMs: START_MS + 60_000, acceptsInbound: true, neighbours: [] };
    const newer = await signPeerRecord(NETWORK, other, { ...fields, seq: 2 });
    sendModule(PEER_RECORDS, encodePeerRecords(NETWORK, [newer]));
    await until(() => tab.peers.stats().recordsAccepted === 1, 'the record');
    // An older seq with a stamp that falls short and a signature over other bytes: news would cost the sender a ban.
    const older = await signPeerRecord(NETWORK, { ...other, identityStamp: nonceWithWork(other.peerId, 0, 8) }, { ...fields, seq: 1 });
    sendModule(PEER_RECORDS, encodePeerRecords(NETWORK, [newer, { ...older, signature: newer.signature }]));
    await until(() => tab.peers.stats().recordsReceived === 3, 'the copies');
    await settle();
    expect(tab.peers.stats()).toMatchObject({ recordsStale: 2, recordsAccepted: 1, recordsBadStamp: 0, recordsRejected: 0 });
    expect(tab.node.bans()).toEqual([]);
  });

  it('does not take a replacement issued within 5 s of the record it holds: a peer re-signing in a loop cannot flood the network', async () => {
    const tab = await makeTab(1);
    const { sendModule } = await rogue(tab);
    const other = await testSigner(65);
    const at = (seq: number, issuedAtMs: number) => signPeerRecord(NETWORK, other, { seq, issuedAtMs, expiresAtMs: issuedAtMs + 60_000, acceptsInbound: true, neighbours: [] });
    sendModule(PEER_RECORDS, encodePeerRecords(NETWORK, [await at(1, START_MS - 10_000)]));
    await until(() => tab.peers.stats().recordsAccepted === 1, 'the first record');
    sendModule(PEER_RECORDS, encodePeerRecords(NETWORK, [await at(2, START_MS - 9_000), await at(3, START_MS - 6_000), await at(4, START_MS - 5_000)]));
    await until(() => tab.peers.stats().recordsReceived === 4, 'the loop');
    await settle();
    // 1 s and 4 s after the held one are too soon; 5 s after it is news.
    expect(tab.peers.stats()).toMatchObject({ recordsAccepted: 2, recordsStale: 2 });
    expect(tab.peers.book.get(other.peerId)?.seq).toBe(4);
  });

  it('does not take back a record its full book evicted when a copy of it returns', async () => {
    const tab = await makeTab(1, new Set(), 16);
    const { sendModule } = await rogue(tab);
    const fields = { seq: 1, issuedAtMs: START_MS, expiresAtMs: START_MS + 60_000, acceptsInbound: true, neighbours: [] };
    const records = await Promise.all([...Array(24).keys()].map(async (i) => signPeerRecord(NETWORK, await testSigner(100 + i), fields)));
    sendModule(PEER_RECORDS, encodePeerRecords(NETWORK, records));
    await until(() => tab.peers.stats().recordsAccepted === 24, 'every record, each news once');
    expect(tab.peers.stats().bookSize).toBeLessThan(24); // the book is full: some were evicted
    sendModule(PEER_RECORDS, encodePeerRecords(NETWORK, records));
    await until(() => tab.peers.stats().recordsReceived === 48, 'the copies');
    await settle();
    expect(tab.peers.stats()).toMatchObject({ recordsAccepted: 24, recordsStale: 24 });
  });

  it('punishes a peer that sends a record whose signature does not verify', async () => {
    const tab = await makeTab(1);
    const { signer, sendModule, peer } = await rogue(tab);
    const honest = await signPeerRecord(NETWORK, await testSigner(61), { seq: 1, issuedAtMs: START_MS, expiresAtMs: START_MS + 60_000, acceptsInbound: true, neighbours: [] });
    // The forgery carries its subject's own stamp, so it passes the cheap checks and reaches the signature's.
    const subject = await testSigner(62);
    sendModule(PEER_RECORDS, encodePeerRecords(NETWORK, [honest, { ...honest, peerId: subject.peerId, stampNonce: subject.identityStamp }]));
    expect(await peer.closed).toMatch(/banned: a peer record signature does not verify/);
    expect(tab.node.banOf(signer.peerId)?.reason).toMatch(/peer record/);
    expect(tab.peers.stats().recordsRejected).toBe(1);
    expect(tab.peers.knownPeers()).toEqual([]); // nothing from a frame with a forgery is kept
  });

  it('punishes a peer that forwards a record whose identity stamp falls short', async () => {
    const tab = await makeTab(1);
    const { signer, sendModule, peer } = await rogue(tab);
    const cheap = await testSigner(63);
    // Signed correctly, but with a stamp of fewer bits than the test network's 8: an id that cost nothing.
    const record = await signPeerRecord(NETWORK, { ...cheap, identityStamp: nonceWithWork(cheap.peerId, 0, 8) }, { seq: 1, issuedAtMs: START_MS, expiresAtMs: START_MS + 60_000, acceptsInbound: true, neighbours: [] });
    sendModule(PEER_RECORDS, encodePeerRecords(NETWORK, [record]));
    expect(await peer.closed).toMatch(/banned: peer record: identity stamp has \d bits of work, the network asks 8/);
    expect(tab.node.banOf(signer.peerId)).toBeDefined();
    expect(tab.peers.stats()).toMatchObject({ recordsBadStamp: 1, recordsAccepted: 0 });
    expect(tab.peers.knownPeers()).not.toContain(cheap.peerId);
  });

  it('punishes a forged mesh signal, and a malformed one', async () => {
    const tab = await makeTab(1);
    const forger = await rogue(tab, 50);
    const hex = await offer(forger.signer, tab.id, tab.now.ms, 'abc');
    const tampered = fromHex(hex)!;
    tampered[100] = tampered[100]! ^ 0x01; // inside the SDP text: still valid UTF-8 JSON bytes, no longer the signed ones
    forger.sendModule(MESH_SIGNAL, encodeMeshSignal(3, tampered));
    expect(await forger.peer.closed).toMatch(/banned: a mesh signal does not verify/);
    expect(tab.signals).toEqual([]);

    const malformed = await rogue(tab, 51);
    malformed.sendModule(MESH_SIGNAL, new Uint8Array([0, ...fromHex(await offer(malformed.signer, tab.id, tab.now.ms))!]));
    expect(await malformed.peer.closed).toMatch(/banned: malformed frame: MESH_SIGNAL hops 0/);
  });

  it('delivers a signal once, drops stale ones, and bans a peer that floods signals past its rate limit', async () => {
    const tab = await makeTab(1);
    const { signer, sendModule, peer } = await rogue(tab);
    const first = fromHex(await offer(signer, tab.id, tab.now.ms))!;
    sendModule(MESH_SIGNAL, encodeMeshSignal(1, first));
    sendModule(MESH_SIGNAL, encodeMeshSignal(1, first));
    sendModule(MESH_SIGNAL, encodeMeshSignal(1, fromHex(await offer(signer, tab.id, tab.now.ms - 61_000))!));
    await until(() => tab.peers.stats().meshSignalsDuplicate === 1 && tab.peers.stats().meshSignalsExpired === 1, 'the duplicate and the stale signal');
    expect(tab.signals.map((signal) => signal.hex)).toEqual([toHex(first)]);
    expect(tab.node.bans()).toEqual([]);

    // The clock stands still, so after the burst of 50 (3 used above) the bucket is empty.
    for (let i = 0; i < 48; i++) sendModule(MESH_SIGNAL, encodeMeshSignal(1, fromHex(await offer(signer, tab.id, tab.now.ms, `sdp ${i}`))!));
    expect(await peer.closed).toMatch(/banned: MESH_SIGNAL above 20\/s/);
    expect(tab.peers.stats().rateLimitViolations).toBe(1);
  });

  it('bans a peer that sends PEER_RECORDS frames past their rate limit', async () => {
    const tab = await makeTab(1);
    const { sendModule, peer } = await rogue(tab);
    const record = await signPeerRecord(NETWORK, await testSigner(61), { seq: 1, issuedAtMs: START_MS, expiresAtMs: START_MS + 60_000, acceptsInbound: true, neighbours: [] });
    for (let i = 0; i < 21; i++) sendModule(PEER_RECORDS, encodePeerRecords(NETWORK, [record]));
    expect(await peer.closed).toMatch(/banned: PEER_RECORDS above 4\/s/);
  });
});
