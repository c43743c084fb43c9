/**
 * The trace module inside real nodes over memory links: a trace reaches tabs
 * several links away and their reports retrace the request's path; tabs that
 * never announced the transaction stay silent; limits and bad frames punish.
 */
import { describe, expect, it } from 'vitest';
import { rawPeer } from '../../../test/helpers/raw-peer.ts';
import { nodeVerifier, testSigner } from '../../../test/helpers/test-keys.ts';
import { until } from '../../../test/helpers/until.ts';
import { createMemoryLinkPair } from '../../net/memory-link.ts';
import { FRAME_VERSION } from '../frames.ts';
import { createFullNode } from '../full-node.ts';
import { MemoryChainStore } from '../ledger/memory-chain-store.ts';
import { TRACE_REPORT, TRACE_REQUEST, decodeTraceFrame, encodeTraceReport, encodeTraceRequest, signTraceRequest } from './trace-frames.ts';
import { withCatchUp } from './catch-up.ts';
import { ORIGIN_TRACES_IN, ORIGIN_TRACES_OWN, TRACE_REQUESTS_IN, TRACE_STATE_MS, createTraceModule, type ReceivedTraceReport } from './trace-module.ts';

const NETWORK = 'test';
const quiet = { info: () => undefined, warn: () => undefined };
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
const START_MS = 1_735_689_600_000 + 86_400_000;
const TX = 'ab'.repeat(32);

async function makeTab(seed: number, clock = { ms: START_MS }) {
  const signer = await testSigner(seed);
  let counter = seed * 1_000;
  const reports: ReceivedTraceReport[] = [];
  const trace = createTraceModule({ signer, verifier: nodeVerifier, random: () => ((counter = (counter * 7_919 + 13) % 65_521) / 65_521), onReport: (_id, report) => reports.push(report) }, { network: NETWORK });
  const { node, ledger } = await createFullNode({ verifier: nodeVerifier, clock: { nowMs: () => clock.ms }, log: quiet, store: new MemoryChainStore(), modules: [trace.factory] }, { network: NETWORK, peerId: signer.peerId });
  return { signer, clock, trace, node, ledger, reports, id: signer.peerId };
}
type Tab = Awaited<ReturnType<typeof makeTab>>;

async function link(a: Tab, b: Tab) {
  const pair = createMemoryLinkPair(a.id, b.id);
  a.node.addLink(pair.atA);
  b.node.addLink(pair.atB);
  await until(() => a.node.peers().some((peer) => peer.id === b.id) && b.node.peers().some((peer) => peer.id === a.id), 'the link');
  return pair;
}

/** A chain of tabs on one clock, each linked to the next. */
async function line(count: number) {
  const clock = { ms: START_MS };
  const tabs: Tab[] = [];
  for (let i = 0; i < count; i++) tabs.push(await makeTab(i + 1, clock));
  for (let i = 1; i < count; i++) await link(tabs[i - 1]!, tabs[i]!);
  // Callers destructure as many as they asked for.
  return tabs as [Tab, Tab, Tab, Tab];
}

/** A hand-driven peer that sends module frames and records the trace frames it receives. */
async function rogue(tab: Tab, seed = 50) {
  const signer = await testSigner(seed);
  const peer = rawPeer(tab.node, tab.id, signer, NETWORK, tab.ledger.tip());
  const frames: { type: number; payload: Uint8Array }[] = [];
  peer.link.onMessage((bytes) => { if (bytes[1] === TRACE_REQUEST || bytes[1] === TRACE_REPORT) frames.push({ type: bytes[1], payload: bytes.slice(2) }); });
  const sendModule = (type: number, payload: Uint8Array) => peer.sendBytes(new Uint8Array([FRAME_VERSION, type, ...payload]));
  await until(() => tab.node.peers().length > 0, 'the rogue to be linked');
  const request = (nonce: string, hops = 1, issuedAtMs = tab.clock.ms) => signTraceRequest(NETWORK, signer, { nonce, txId: TX, issuedAtMs, hops });
  return { signer, peer, frames, sendModule, request };
}

const nonce = (i: number) => i.toString(16).padStart(16, '0');

describe('trace module over memory links', () => {
  it('collects first sightings from tabs several links away, each report retracing the path, and none from tabs that never had it', async () => {
    const [a, b, c, d] = await line(4);
    const bystander = await makeTab(9, a.clock);
    await link(bystander, c);
    // The transaction was created at d and flowed d → c → b → a, 20 ms a hop, well after the links opened;
    // the bystander never had it.
    a.clock.ms += 10_000;
    const seen: [Tab, string | 'self'][] = [[d, 'self'], [c, d.id], [b, c.id], [a, b.id]];
    for (const [tab, from] of seen) {
      tab.trace.noteSeen(TX, from);
      a.clock.ms += 20;
    }

    const started = await a.trace.start(TX);
    const t0 = START_MS + 10_000;
    expect(started).toMatchObject({ ok: true, linksAsked: 1, reports: [{ reporter: a.id, from: b.id, via: 'self', firstSeenMs: t0 + 60, fromLinkedAtMs: START_MS }] });
    await until(() => a.reports.length === 3, 'three reports');
    const byReporter = Object.fromEntries(a.reports.map((report) => [report.reporter, report]));
    expect(byReporter[b.id]).toMatchObject({ from: c.id, via: b.id, firstSeenMs: t0 + 40, fromLinkedAtMs: START_MS });
    expect(byReporter[c.id]).toMatchObject({ from: d.id, via: b.id, firstSeenMs: t0 + 20, fromLinkedAtMs: START_MS });
    expect(byReporter[d.id]).toMatchObject({ from: 'origin', via: b.id, firstSeenMs: t0 });
    expect(a.trace.reportsOf(started.ok ? started.nonce : '').map((report) => report.reporter).sort()).toEqual([a.id, b.id, c.id, d.id].sort());
    await settle();
    expect(bystander.trace.stats()).toMatchObject({ requestsReceived: 1, requestsUnknownTx: 1, requestsAnswered: 0 });
    expect(b.trace.stats()).toMatchObject({ requestsForwarded: 1, reportsForwarded: 2 });
    expect([a, b, c, d, bystander].flatMap((tab) => tab.node.bans())).toEqual([]);

    // A tab that links later gets the transaction in the pool handed over on HELLO: its sighting is catch-up.
    const late = await makeTab(10, a.clock);
    await link(late, a);
    late.trace.noteSeen(TX, a.id);
    const again = await a.trace.start(TX);
    const nonce = again.ok ? again.nonce : '';
    await until(() => a.trace.reportsOf(nonce).length === 5, 'all five reports');
    const classified = withCatchUp(a.trace.reportsOf(nonce));
    expect(classified.find((report) => report.reporter === late.id)).toMatchObject({ from: a.id, via: late.id, fromLinkedAtMs: a.clock.ms, catchUp: true });
    expect(classified.filter((report) => report.catchUp)).toHaveLength(1);

    // Once the trace state expires, the requester no longer holds its reports.
    a.clock.ms += TRACE_STATE_MS;
    expect(a.trace.reportsOf(started.ok ? started.nonce : '')).toEqual([]);
  });

  it('stops at the hop limit', async () => {
    const [a, b, c, d] = await line(4);
    for (const tab of [b, c, d]) tab.trace.noteSeen(TX, 'self');
    const started = await a.trace.start(TX, 2);
    expect(started.ok && started.reports).toEqual([]); // a never had it
    await until(() => a.reports.length === 2, 'reports from b and c');
    await settle();
    expect(a.reports.map((report) => report.reporter).sort()).toEqual([b.id, c.id].sort());
    expect(d.trace.stats().requestsReceived).toBe(0);
  });

  it('limits the traces this tab starts, and says when it may try again', async () => {
    const [a] = await line(1);
    for (let i = 0; i < ORIGIN_TRACES_OWN.burst; i++) expect((await a.trace.start(TX)).ok).toBe(true);
    const refused = await a.trace.start(TX);
    expect(refused).toMatchObject({ ok: false, reason: 'rate-limited', retryInMs: 5_000 });
    a.clock.ms += 5_000;
    expect((await a.trace.start(TX)).ok).toBe(true);
    await expect(a.trace.start('nope')).rejects.toThrow(/txId must be/);
  });

  it('answers a neighbour\'s request and forwards it, but drops an origin\'s requests beyond its budget without punishing the link', async () => {
    const [tab, next] = await line(2);
    tab.trace.noteSeen(TX, 'self');
    const { sendModule, frames, request } = await rogue(tab);
    for (let i = 0; i <= ORIGIN_TRACES_IN.burst; i++) sendModule(TRACE_REQUEST, encodeTraceRequest(await request(nonce(i + 1), 2)));
    await until(() => tab.trace.stats().requestsOriginLimited === 1, 'the request over the origin budget');
    await until(() => frames.filter((frame) => frame.type === TRACE_REPORT).length === ORIGIN_TRACES_IN.burst, 'one report per accepted request');
    const first = decodeTraceFrame(TRACE_REPORT, frames[0]!.payload);
    expect(first.ok && first.value.kind === 'report' && first.value.report).toMatchObject({ nonce: nonce(1), reporter: tab.id, from: 'origin' });
    expect(next.trace.stats().requestsReceived).toBe(ORIGIN_TRACES_IN.burst);
    expect(tab.node.bans()).toEqual([]);
  });

  it('punishes a flood of requests, a forged request, an unsolicited report and a malformed frame; drops a late report', async () => {
    const [tab] = await line(1);
    const flooder = await rogue(tab, 50);
    // The clock stands still, so the burst is all a link gets; distinct origins keep the origin budget out of the way.
    for (let i = 0; i <= TRACE_REQUESTS_IN.burst; i++) {
      const origin = await testSigner(100 + i);
      flooder.sendModule(TRACE_REQUEST, encodeTraceRequest(await signTraceRequest(NETWORK, origin, { nonce: nonce(i), txId: TX, issuedAtMs: tab.clock.ms, hops: 1 })));
    }
    expect(await flooder.peer.closed).toMatch(/banned: TRACE_REQUEST above 5\/s/);

    const forger = await rogue(tab, 51);
    const honest = await forger.request(nonce(1));
    forger.sendModule(TRACE_REQUEST, encodeTraceRequest({ ...honest, txId: 'cd'.repeat(32) }));
    expect(await forger.peer.closed).toMatch(/banned: a trace request does not verify/);

    const late = await rogue(tab, 52);
    late.sendModule(TRACE_REPORT, encodeTraceReport({ nonce: nonce(99), reporter: late.signer.peerId, firstSeenMs: START_MS, from: 'origin' }));
    await until(() => tab.trace.stats().reportsUnmatched === 1, 'the report for an unknown trace');
    expect(tab.node.banOf(late.signer.peerId)).toBeUndefined();

    // A trace we started but never sent to this link: it has no business reporting on it.
    const started = await tab.trace.start(TX, 1);
    const intruder = await rogue(tab, 53);
    intruder.sendModule(TRACE_REPORT, encodeTraceReport({ nonce: started.ok ? started.nonce : '', reporter: intruder.signer.peerId, firstSeenMs: START_MS, from: 'origin' }));
    expect(await intruder.peer.closed).toMatch(/banned: sent a TRACE_REPORT for trace .* that we never asked it about/);

    const broken = await rogue(tab, 54);
    broken.sendModule(TRACE_REPORT, Uint8Array.of(1, 2, 3));
    expect(await broken.peer.closed).toMatch(/banned: malformed frame: TRACE_REPORT/);
    expect(tab.trace.stats().rateLimitViolations).toBe(2);
  });

  it('drops stale and repeated requests without punishing', async () => {
    const [tab] = await line(1);
    tab.trace.noteSeen(TX, 'self');
    const { sendModule, frames, request } = await rogue(tab);
    const fresh = encodeTraceRequest(await request(nonce(1)));
    sendModule(TRACE_REQUEST, fresh);
    sendModule(TRACE_REQUEST, fresh);
    sendModule(TRACE_REQUEST, encodeTraceRequest(await request(nonce(2), 1, START_MS - 61_000)));
    await until(() => tab.trace.stats().requestsDuplicate === 1 && tab.trace.stats().requestsExpired === 1, 'the duplicate and the stale request');
    await settle();
    expect(frames.filter((frame) => frame.type === TRACE_REPORT)).toHaveLength(1);
    expect(tab.node.bans()).toEqual([]);
  });
});
