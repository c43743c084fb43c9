/**
 * The full node across a restart of its process state (same DIR, LevelDB
 * closed and opened again): a peer it banned is still refused
 * (peer/ban-store.ts), and the ban ends when it was due to.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signTx } from '../src/core/tx.ts';
import { rawPeer } from '../test/helpers/raw-peer.ts';
import { testSigner } from '../test/helpers/test-keys.ts';
import { until } from '../test/helpers/until.ts';
import { startFullNode, type FullNodeHost } from './main.ts';
import type { NodeOptions } from './node-flags.ts';

const NETWORK = 'test';
const quiet = { info: () => undefined, warn: () => undefined };
let dir: string | undefined;
let host: FullNodeHost | undefined;

afterEach(async () => {
  await host?.close();
  host = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

function options(dataDir: string): NodeOptions {
  // No relay listens on port 9: the node keeps retrying it, which is all a closed relay costs.
  return { relayUrl: 'ws://127.0.0.1:9/signal', network: NETWORK, dataDir, mine: false, rpcPort: 0, targetLinks: 6, iceServers: [] };
}

describe('full node restart', () => {
  it('still refuses a peer it banned before the restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tabmesh-bans-'));
    host = await startFullNode(options(dir), quiet);
    const { node, ledger } = host.peer;
    const attacker = await testSigner(2);
    const peer = rawPeer(node, host.id, attacker, NETWORK, ledger.tip());
    await until(() => node.peers().length === 1, 'the attacker link');
    const tx = await signTx(NETWORK, { from: attacker.peerId, to: host.id, amount: 5, fee: 1, nonce: 0 }, attacker);
    peer.offerTx({ ...tx, amount: 5_000 }); // its signature no longer verifies
    expect(await peer.closed).toMatch(/banned/);
    const ban = node.banOf(attacker.peerId)!;
    await host.close();

    host = await startFullNode(options(dir), quiet);
    expect(host.peer.node.banOf(attacker.peerId)).toEqual(ban);
    const again = rawPeer(host.peer.node, host.id, attacker, NETWORK, host.peer.ledger.tip());
    expect(await again.closed).toMatch(/banned/);
    expect(host.peer.node.stats().peersBanned).toBe(0);
  }, 30_000);
});
