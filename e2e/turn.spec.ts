/**
 * TURN end to end (issue 19, item 2): a real coturn on loopback with the
 * TURN REST API (`--use-auth-secret`), a server this test owns that mints
 * credentials for it at /config.json, and two tabs with `?ice=relay`, which
 * gather relay candidates only. They must link, and the selected candidate
 * pair of their RTCPeerConnections must be relay on both ends (getStats()).
 * A second test shows the first can fail: with `?ice=relay` and no TURN
 * server, tabs that know each other never link.
 *
 * The RTCPeerConnections are reached without any hook in the app: an init
 * script wraps the page's RTCPeerConnection constructor (simple-peer looks it
 * up on globalThis each time it makes one) and records every instance.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { createAppServer, type AppServer } from '../signaling/http-server.ts';
import { parseIceSettings } from '../signaling/ice-servers.ts';
import { startCoturn, type Coturn } from './harness/coturn.ts';
import { idOf, peersOf, uniqueNetwork, waitReady } from './harness/tabs.ts';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const quiet = { info: () => undefined, warn: () => undefined };

interface PairReport {
  local?: string;
  remote?: string;
  /** From the RTCPeerConnection's creation to connectionState 'connected'. */
  connectMs?: number;
}

/** Records every RTCPeerConnection a page makes, with when it was made and when it connected. */
async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const seen: { pc: RTCPeerConnection; createdMs: number; connectedMs?: number }[] = [];
    (window as unknown as { __peerConnections: typeof seen }).__peerConnections = seen;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        const record: (typeof seen)[number] = { pc: this, createdMs: performance.now() };
        seen.push(record);
        this.addEventListener('connectionstatechange', () => {
          if (this.connectionState === 'connected') record.connectedMs ??= performance.now();
        });
      }
    };
  });
}

/** Candidate types of the selected pair of each connected RTCPeerConnection, and how many were made at all. */
function selectedPairs(page: Page): Promise<{ made: number; connected: PairReport[] }> {
  return page.evaluate(async () => {
    const seen = (window as unknown as { __peerConnections: { pc: RTCPeerConnection; createdMs: number; connectedMs?: number }[] }).__peerConnections;
    const connected: PairReport[] = [];
    for (const { pc, createdMs, connectedMs } of seen) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      let pairId: string | undefined;
      stats.forEach((report: { type: string; selectedCandidatePairId?: string }) => {
        if (report.type === 'transport' && report.selectedCandidatePairId) pairId = report.selectedCandidatePairId;
      });
      const pair = pairId === undefined ? undefined : (stats.get(pairId) as { localCandidateId: string; remoteCandidateId: string } | undefined);
      connected.push({
        local: pair && (stats.get(pair.localCandidateId) as { candidateType?: string } | undefined)?.candidateType,
        remote: pair && (stats.get(pair.remoteCandidateId) as { candidateType?: string } | undefined)?.candidateType,
        connectMs: connectedMs === undefined ? undefined : Math.round(connectedMs - createdMs),
      });
    }
    return { made: seen.length, connected };
  });
}

let coturn: Coturn | undefined;
let server: AppServer | undefined;
test.afterEach(async () => {
  await server?.close();
  await coturn?.stop();
  server = coturn = undefined;
});

test('two tabs with ?ice=relay link through a real coturn, on a relay/relay candidate pair', async ({ context }) => {
  const secret = randomBytes(16).toString('hex');
  const turn = (coturn = await startCoturn(secret));
  const ice = parseIceSettings({ turn: { name: 'TABMESH_TURN', value: turn.url }, turnSecret: { name: 'TABMESH_TURN_SECRET', value: secret } });
  server = createAppServer({ port: 0, host: '127.0.0.1', distDir: DIST, log: quiet, ice });
  await server.ready;
  const origin = `http://127.0.0.1:${server.address().port}`;
  await recordPeerConnections(context);
  const network = uniqueNetwork();
  const pages: Page[] = [];
  for (let i = 0; i < 2; i++) {
    const page = await context.newPage();
    await page.goto(`${origin}/?net=${network}&ice=relay`);
    await waitReady(page);
    pages.push(page);
  }
  const startedMs = Date.now();
  const [a, b] = pages as [Page, Page];
  const [aId, bId] = [await idOf(a), await idOf(b)];
  await expect.poll(() => peersOf(a), { timeout: 30_000, message: `tabs link through TURN (coturn said:\n${turn.output().slice(-2000)})` }).toEqual([bId]);
  await expect.poll(() => peersOf(b)).toEqual([aId]);
  const linkedMs = Date.now() - startedMs;

  for (const page of pages) {
    const { connected } = await selectedPairs(page);
    expect(connected.length, 'a connected RTCPeerConnection').toBeGreaterThanOrEqual(1);
    // Each tab's own end is a relay candidate, so the pair is relay to relay. The remote end may be labelled
    // prflx: its address was learnt from a connectivity check before its trickled candidate arrived (RFC 8445 §7.3.1.3);
    // with relay-only ICE on both sides that address can only be the other tab's TURN allocation.
    for (const pair of connected) {
      expect(pair.local, 'this end of the selected pair').toBe('relay');
      expect(['relay', 'prflx'], 'the other end of the selected pair').toContain(pair.remote);
    }
  }
  const connectMs = (await selectedPairs(b)).connected.map((pair) => pair.connectMs);
  console.log(`TURN link: RTCPeerConnection created → connected in ${connectMs.join(', ')} ms; both tabs linked ${linkedMs} ms after the second was ready`);
});

test('a tab with ?ice=relay and no TURN server never links, though it dials', async ({ context }) => {
  await recordPeerConnections(context);
  const network = uniqueNetwork();
  const pages: Page[] = [];
  for (let i = 0; i < 2; i++) {
    const page = await context.newPage();
    await page.goto(`/?net=${network}&ice=relay`); // the Playwright server: /config.json has no ICE servers
    await waitReady(page);
    pages.push(page);
  }
  const [a, b] = pages as [Page, Page];
  const bId = await idOf(b);
  await expect.poll(() => a.evaluate(() => window.tabmesh.knownPeers()), { message: 'the relay introduced the tabs' }).toContain(bId);
  await expect.poll(async () => (await selectedPairs(a)).made + (await selectedPairs(b)).made, { message: 'a connection was attempted' }).toBeGreaterThan(0);
  await expect(a.getByText('?ice=relay but no TURN server is configured').first()).toBeVisible();
  // A TURN link opens within about a second (test above); eight seconds without one is a refusal, not slowness.
  await a.waitForTimeout(8_000);
  expect(await peersOf(a)).toEqual([]);
  expect(await peersOf(b)).toEqual([]);
  expect((await selectedPairs(a)).connected).toEqual([]);
});
