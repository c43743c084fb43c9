/**
 * Late-joiner sync without a browser (docs/PERFORMANCE.md, "Late-joiner sync"): two
 * full nodes over in-memory links. The source builds `blocks` blocks of
 * `txsPerBlock` signed transfers in a memory store; the joiner keeps its chain
 * in the IndexedDB LedgerStore over fake-indexeddb and runs the page's chain
 * view (src/app/chain-view.ts) and transaction history writer beside it, as a
 * tab does. The rate is persisted transactions per second from the link to
 * the moment the joiner's tip reached the source's and every transaction was
 * placed in its IndexedDB `blockTxs` store (and its wallet's in `txs`).
 *
 *   node --import tsx bench/sync-node.ts [blocks=500] [txsPerBlock=20] [latencyMs=2]
 *
 * With SYNC_NODE_PROFILE=file.cpuprofile set, the sync itself (not the
 * build) is CPU-profiled into that file (open it in Chrome DevTools).
 *
 * latencyMs delays every frame one way (a timer per frame, order kept), so
 * round trips cost what they cost between tabs, where a busy main thread
 * answers in milliseconds, not microseconds.
 *
 * fake-indexeddb is plain JavaScript, so its per-request cost differs from
 * Chromium's; the figure is for comparing changes on one machine, not a
 * stand-in for the browser's. Verification runs on the same thread here (a
 * tab verifies in workers); its time is printed beside the total.
 */
// idb's wrapper checks values against the global IDB* classes: install fake-indexeddb's.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createChainView, createTxStatusIndex } from '../src/app/chain-view.ts';
import { createFullNode, type FullNode } from '../src/core/full-node.ts';
import type { PeerLink } from '../src/core/link.ts';
import type { Logger, Signer, Verifier } from '../src/core/types.ts';
import { createEd25519Verifier } from '../src/crypto/ed25519.ts';
import { createMemoryLinkPair } from '../src/net/memory-link.ts';
import { openIdbLedgerStore } from '../src/storage/idb-ledger-store.ts';
import { createMemoryLedgerStore } from '../src/storage/memory-ledger-store.ts';
import type { LedgerStore } from '../src/storage/ledger-store.ts';
import { createTabmeshStore } from '../src/ui/store.ts';
import { createTxHistoryWriter } from '../src/storage/tx-history-writer.ts';
import { benchSigner, buildTransferChain, createBuildClock } from './lib/chain-build.ts';

const NETWORK = 'test-sync-node';
const blocks = Number(process.argv[2] ?? 500);
const txsPerBlock = Number(process.argv[3] ?? 20);
const latencyMs = Number(process.argv[4] ?? 2);

const warnings: string[] = [];
const log: Logger = { info: () => undefined, warn: (message, fields) => void warnings.push(`${message} ${JSON.stringify(fields ?? {})}`) };
/** Block times step one second from a day after the test genesis; both nodes share the clock. */
const clock = createBuildClock();

const backend = await createEd25519Verifier();
let verifyMs = 0;
const verifier: Verifier = {
  async verify(items) {
    const started = performance.now();
    const results = await Promise.all(items.map((item) => backend.verify(item)));
    verifyMs += performance.now() - started;
    return results;
  },
};

/** `link` with every incoming frame handed over `latencyMs` late (timers of equal delay keep their order). */
function withLatency(link: PeerLink): PeerLink {
  if (latencyMs <= 0) return link;
  return { ...link, onMessage: (handler) => link.onMessage((bytes) => void setTimeout(() => handler(bytes), latencyMs)) };
}

async function node(store: LedgerStore, signer: Signer): Promise<FullNode> {
  return createFullNode({ verifier, clock, log, store }, { network: NETWORK, peerId: signer.peerId });
}

const sourceSigner = benchSigner(1);
const joinerSigner = benchSigner(2);
const recipient = benchSigner(3).peerId;
const source = await node(createMemoryLedgerStore(), sourceSigner);

const built = await buildTransferChain(source, clock, { network: NETWORK, signer: sourceSigner, recipient, blocks, txsPerBlock });
const target = built.height;
const totalTxs = built.txIds.length;
console.log(`built ${target} blocks, ${totalTxs} transactions in ${Math.round(built.ms)} ms (${backend.backend} verification)`);

const idb = new IDBFactory();
const store = await openIdbLedgerStore(`tabmesh:${NETWORK}:${joinerSigner.peerId}`, { indexedDB: idb, log, owner: joinerSigner.peerId });
const joiner = await node(store, joinerSigner);
const ui = createTabmeshStore();
const history = createTxHistoryWriter({ store, onError: (message, error) => log.warn(message, { error: String(error) }) });
const view = createChainView({ ledger: joiner.ledger, mempool: joiner.mempool, ui, clock, log }, joinerSigner.peerId, createTxStatusIndex());
await view.load();
verifyMs = 0;

const ticker = setInterval(() => {
  source.node.tick();
  joiner.node.tick();
}, 1_000);
const profilePath = process.env.SYNC_NODE_PROFILE;
const profiler = profilePath ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
const started = performance.now();
const cpuStarted = process.cpuUsage();
const pair = createMemoryLinkPair(sourceSigner.peerId, joinerSigner.peerId);
source.node.addLink(withLatency(pair.atA));
joiner.node.addLink(withLatency(pair.atB));

const waitFor = async (done: () => boolean | Promise<boolean>, what: string, timeoutMs = 600_000): Promise<number> => {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; warnings: ${warnings.slice(0, 5).join('; ')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
};

const tipMs = await waitFor(() => joiner.ledger.tip().height === target, 'the joiner tip');
await history.flush();
/** Records in one store of the joiner's database, or entries in one of its indexes. */
const countIn = async (name: 'blockTxs' | 'txs', index?: 'byTxId'): Promise<number> => {
  const request = idb.open(`tabmesh:${NETWORK}:${joinerSigner.peerId}`);
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const count = await new Promise<number>((resolve, reject) => {
    const store = db.transaction(name).objectStore(name);
    const counting = (index === undefined ? store : store.index(index)).count();
    counting.onsuccess = () => resolve(counting.result);
    counting.onerror = () => reject(counting.error);
  });
  db.close();
  return count;
};
// Every transaction is placed in blockTxs; the joiner's history (txs) keeps its own, and these pay someone else.
const persistedMs = await waitFor(async () => (await countIn('blockTxs', 'byTxId')) === totalTxs, 'every transaction persisted');
const historyRecords = await countIn('txs');
if (historyRecords !== 0) throw new Error(`the joiner's history holds ${historyRecords} records of transactions it is not party to`);
clearInterval(ticker);
const cpu = process.cpuUsage(cpuStarted);
if (profiler) {
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(profilePath!, JSON.stringify(profile));
  profiler.disconnect();
}
const cpuMs = (cpu.user + cpu.system) / 1000;
const stats = joiner.node.stats();
console.log(`one-way link latency ${latencyMs} ms`);
console.log(`joiner tip at ${target}: ${Math.round(tipMs)} ms; all ${totalTxs} transactions persisted: ${Math.round(persistedMs)} ms`);
console.log(`  ${Math.round(totalTxs / (persistedMs / 1000))} tx/s persisted, ${Math.round(blocks / (persistedMs / 1000))} blocks/s (target: 5,000 tx/s in a tab)`);
console.log(`  process CPU ${Math.round(cpuMs)} ms (both nodes): ${Math.round(totalTxs / (cpuMs / 1000))} tx per CPU-second, steadier than wall time on a shared machine`);
console.log(`  verification on this thread: ${Math.round(verifyMs)} ms of wall time`);
console.log(`  headersRequested ${stats.headersRequested}, blocksRequested ${stats.blocksRequested}, blocksDuplicate ${stats.blocksDuplicate ?? 0}, compactBlockMisses ${stats.compactBlockMisses ?? 0}, blockTxsRequested ${stats.blockTxsRequested ?? 0}`);
if (warnings.length > 0) console.log(`  ${warnings.length} warnings, first: ${warnings[0]}`);
view.close();
joiner.node.close();
source.node.close();
store.close();
