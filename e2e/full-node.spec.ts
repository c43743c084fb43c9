/**
 * The headless full node in the tabs' mesh (issue 18, "Tests"): three tabs and
 * one node (a child process started as `npm run node` starts it) form one
 * mesh; a tab's transaction reaches the node; the node's blocks (mined through
 * its RPC) reach every tab; with every tab closed, a tab in a fresh browser
 * context syncs the whole chain from the node alone; and a node killed with
 * SIGKILL restarts with the same id and tip and links again.
 */
import { expect, test, type Page } from '@playwright/test';
import { RpcCallError } from '../fullnode/rpc-client.ts';
import { makeDataDir, removeDataDir, startNodeProcess, stopNodeProcess, type NodeProcess } from './harness/full-node.ts';
import { fundTab, openTab, peersOf, tipOf, txStatusOf, uniqueNetwork } from './harness/tabs.ts';

const relayOf = (baseURL: string | undefined) => `${baseURL!.replace(/^http/, 'ws')}/signal`;
const nodePeers = async (node: NodeProcess) => ((await node.rpc.peers()).peers as { id: string }[]).map((peer) => peer.id);

test('three tabs and a full node form one mesh; the node relays, mines, serves a new tab alone, and survives SIGKILL', async ({ browser, baseURL }) => {
  test.setTimeout(180_000);
  const network = uniqueNetwork();
  const relay = relayOf(baseURL);
  const dataDir = makeDataDir();
  let node = await startNodeProcess({ relay, network, dataDir });
  try {
    const status = await node.rpc.status();
    expect(status.network).toBe(network);
    expect(status.id).toMatch(/^[0-9a-f]{64}$/);

    // One mesh: every tab links to the node, and the node to every tab.
    const context = await browser.newContext();
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) pages.push(await openTab(context, network));
    for (const [index, page] of pages.entries()) {
      await expect.poll(() => peersOf(page), { message: `tab ${index} links to the node`, timeout: 30_000 }).toContain(status.id);
    }
    await expect.poll(async () => (await nodePeers(node)).length, { timeout: 30_000 }).toBe(3);

    // A transaction sent from a tab reaches the node.
    await fundTab(pages[0]!, pages);
    await expect.poll(async () => (await node.rpc.status()).tip.height, { timeout: 20_000 }).toBe((await tipOf(pages[0]!)).height);
    const txId = await pages[0]!.evaluate((to) => window.tabmesh.send(to, 25, 1), status.id);
    // GET /tx answers 404 until the transaction arrives: that is "not yet", not a failure.
    const nodeTxStatus = async () => {
      try {
        return ((await node.rpc.tx(txId)) as { status: string }).status;
      } catch (error) {
        if (error instanceof RpcCallError && error.status === 404) return 'unknown';
        throw error;
      }
    };
    await expect.poll(nodeTxStatus, { timeout: 20_000 }).toBe('pending');

    // A block mined by the node (through its RPC) reaches every tab, and confirms the transaction everywhere.
    const { hashes } = await node.rpc.mine(2);
    expect(hashes).toHaveLength(2);
    for (const [index, page] of pages.entries()) {
      await expect.poll(async () => (await tipOf(page)).hash, { message: `tab ${index} follows the node's blocks`, timeout: 20_000 }).toBe(hashes[1]);
      expect(await txStatusOf(page, txId)).toBe('confirmed');
    }
    expect((await node.rpc.balance(status.id)).balance).toBeGreaterThanOrEqual(25);
    const chainTip = (await node.rpc.status()).tip;

    // Every tab closes; a tab in a fresh context (its own storage) syncs the whole chain from the node alone.
    await context.close();
    await expect.poll(async () => (await nodePeers(node)).length, { timeout: 30_000 }).toBe(0);
    const fresh = await browser.newContext();
    const joiner = await openTab(fresh, network);
    await expect.poll(() => peersOf(joiner), { timeout: 30_000 }).toEqual([status.id]);
    await expect.poll(async () => (await tipOf(joiner)).hash, { timeout: 30_000 }).toBe(chainTip.hash);
    expect((await tipOf(joiner)).height).toBe(chainTip.height);

    // SIGKILL: no shutdown at all. The restart has the same identity and tip, and links again.
    expect(await stopNodeProcess(node, 'SIGKILL')).toBe('SIGKILL');
    await expect.poll(() => peersOf(joiner), { timeout: 30_000 }).toEqual([]);
    node = await startNodeProcess({ relay, network, dataDir });
    const restarted = await node.rpc.status();
    expect(restarted.id).toBe(status.id);
    expect(restarted.tip).toEqual(chainTip);
    await expect.poll(() => peersOf(joiner), { timeout: 30_000 }).toEqual([status.id]);
    await fresh.close();
  } finally {
    expect(await stopNodeProcess(node), `the node shuts down cleanly on SIGTERM:\n${node.output().slice(-2_000)}`).toBe(0);
    removeDataDir(dataDir);
  }
});
