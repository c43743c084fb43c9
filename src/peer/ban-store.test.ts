import { describe, expect, it } from 'vitest';
import { rawPeer } from '../../test/helpers/raw-peer.ts';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { until } from '../../test/helpers/until.ts';
import { createFullNode } from '../core/full-node.ts';
import { MemoryChainStore } from '../core/ledger/memory-chain-store.ts';
import { signTx } from '../core/tx.ts';
import { MAX_REASON_CHARS, MAX_RESTORED_BAN_MS, MAX_STORED_BANS, keepBans, loadBans, saveBans } from './ban-store.ts';
import type { MetaStore } from './peer-book-store.ts';
import { metaStore } from '../../test/helpers/meta-store.ts';

const NETWORK = 'test';
const START_MS = 1_735_689_600_000 + 86_400_000;
const BAN_MS = 10 * 60_000;


function recordingLog() {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (message: string) => void warnings.push(message) };
}

/** One start of a node over `store` (its chain in memory: only the meta matters here). */
async function startNode(store: MetaStore, now: { ms: number }) {
  const signer = await testSigner(1);
  const clock = { nowMs: () => now.ms };
  const log = recordingLog();
  const { node, ledger } = await createFullNode({ verifier: nodeVerifier, clock, log, store: new MemoryChainStore() }, { network: NETWORK, peerId: signer.peerId, banMs: BAN_MS });
  const keeper = await keepBans({ store, clock, log, node });
  return { signer, node, ledger, keeper, log };
}

const id = (n: number) => n.toString(16).padStart(64, '0');

describe('ban store', () => {
  it('a banned peer is still refused after a restart, until its ban expires', async () => {
    const store = metaStore();
    const now = { ms: START_MS };
    const first = await startNode(store, now);
    const attacker = await testSigner(2);
    const peer = rawPeer(first.node, first.signer.peerId, attacker, NETWORK, first.ledger.tip());
    await until(() => first.node.peers().length === 1, 'the attacker link');
    const tx = await signTx(NETWORK, { from: attacker.peerId, to: first.signer.peerId, amount: 5, fee: 1, nonce: 0 }, attacker);
    peer.offerTx({ ...tx, amount: 5_000 }); // its signature no longer verifies
    expect(await peer.closed).toMatch(/banned/);
    const ban = first.node.banOf(attacker.peerId)!;
    await first.keeper.save(); // what the 'ban' event already queued, awaited
    first.node.close();

    now.ms += 60_000;
    const second = await startNode(store, now);
    expect(second.keeper.restored).toBe(1);
    expect(second.node.banOf(attacker.peerId)).toEqual(ban);
    expect(second.node.bans().map((held) => held.peerId)).toEqual([attacker.peerId]);
    expect(second.node.stats().peersBanned).toBe(0); // counted when it happened, not again
    const again = rawPeer(second.node, second.signer.peerId, attacker, NETWORK, second.ledger.tip());
    expect(await again.closed).toMatch(/banned/);
    second.node.close();

    // Once the ban has run out, a restart forgets it.
    now.ms = ban.untilMs + 1;
    const third = await startNode(store, now);
    expect(third.keeper.restored).toBe(0);
    expect(third.node.banOf(attacker.peerId)).toBeUndefined();
    third.node.close();
  });

  it('keeps an operator ban and forgets it once lifted, across restarts', async () => {
    const store = metaStore();
    const now = { ms: START_MS };
    const first = await startNode(store, now);
    first.node.ban(id(7), 'partition demo', 60_000);
    await first.keeper.save();
    first.node.close();
    const second = await startNode(store, now);
    expect(second.node.banOf(id(7))).toEqual({ untilMs: START_MS + 60_000, reason: 'partition demo' });
    expect(second.node.stats().peersBanned).toBe(0);
    expect(second.node.unban(id(7))).toBe(true);
    expect(second.node.unban(id(7))).toBe(false);
    await second.keeper.save();
    second.node.close();
    const third = await startNode(store, now);
    expect(third.keeper.restored).toBe(0);
    expect(third.node.banOf(id(7))).toBeUndefined();
    expect(() => third.node.ban(id(7), 'x', 0)).toThrow(/positive integer/);
    third.node.close();
  });

  it('skips malformed entries with a warning and keeps the well-formed ones', async () => {
    const store = metaStore();
    const log = recordingLog();
    const good = { peerId: id(1), untilMs: START_MS + 1_000, reason: 'bad signature' };
    store.values.set('peerBans', [
      good,
      { peerId: 'not hex', untilMs: START_MS + 1_000, reason: 'x' },
      { peerId: id(2), untilMs: 'soon', reason: 'x' },
      { peerId: id(3), untilMs: START_MS + 1_000, reason: 'x'.repeat(MAX_REASON_CHARS + 1) },
      null,
      { peerId: id(4), untilMs: START_MS - 1, reason: 'expired' },
    ]);
    expect(await loadBans(store, START_MS, log)).toEqual([good]);
    expect(log.warnings).toEqual(['skipped malformed stored bans']);
  });

  it('holds a stored ban at most a day past the start, whatever its stored expiry', async () => {
    const store = metaStore();
    store.values.set('peerBans', [{ peerId: id(1), untilMs: Number.MAX_SAFE_INTEGER, reason: 'forever' }]);
    expect(await loadBans(store, START_MS, recordingLog())).toEqual([{ peerId: id(1), untilMs: START_MS + MAX_RESTORED_BAN_MS, reason: 'forever' }]);
  });

  it('a stored value that is not a list, or a store that fails, is a warning and no bans, never a crash', async () => {
    const log = recordingLog();
    const store = metaStore();
    store.values.set('peerBans', { not: 'a list' });
    expect(await loadBans(store, START_MS, log)).toEqual([]);
    const broken: MetaStore = {
      getMeta: () => Promise.reject(new Error('disk gone')),
      putMeta: () => Promise.reject(new Error('disk full')),
    };
    expect(await loadBans(broken, START_MS, log)).toEqual([]);
    expect(await saveBans(broken, [{ peerId: id(1), untilMs: START_MS, reason: 'x' }], log)).toBe(false);
    expect(log.warnings).toEqual(['the stored bans are malformed; ignored', 'could not read the stored bans; starting without them', 'could not save the bans']);
  });

  it(`stores at most ${MAX_STORED_BANS} bans, the longest-lasting, with reasons cut to ${MAX_REASON_CHARS} characters`, async () => {
    const store = metaStore();
    const log = recordingLog();
    const bans = Array.from({ length: MAX_STORED_BANS + 5 }, (_, n) => ({ peerId: id(n + 1), untilMs: START_MS + n, reason: 'r'.repeat(300) }));
    expect(await saveBans(store, bans, log)).toBe(true);
    const loaded = await loadBans(store, START_MS, log);
    expect(loaded).toHaveLength(MAX_STORED_BANS);
    expect(loaded[0]).toEqual({ peerId: id(MAX_STORED_BANS + 5), untilMs: START_MS + MAX_STORED_BANS + 4, reason: 'r'.repeat(MAX_REASON_CHARS) });
    expect(loaded.some((ban) => ban.peerId === id(1))).toBe(false); // the first to expire went
    expect(log.warnings).toEqual([]);
  });
});
