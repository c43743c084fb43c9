/**
 * seed-node (README, "Run a full node"; issue 18): the Node full node, started
 * as `npm run node` starts it, is one more peer of the tabs' mesh. It relays
 * a tab's transaction, mines blocks that reach every tab, keeps the chain
 * when every tab has closed, serves it alone to a new tab, and survives
 * SIGKILL with the same identity and tip.
 */
import { RpcCallError } from '../../fullnode/rpc-client.ts';
import { makeDataDir, removeDataDir, startNodeProcess, stopNodeProcess, type NodeProcess } from '../harness/full-node.ts';
import { checkTip, everyTab, mineSynced, peersOf, send, short, tipOf, txStatusOf } from '../demo/actions.ts';
import type { Scenario, Tab } from '../demo/scenario.ts';

const nodePeers = async (node: NodeProcess) => ((await node.rpc.peers()).peers as { id: string }[]).map((peer) => peer.id);

export const seedNode: Scenario = {
  name: 'seed-node',
  claim: 'The Node full node keeps the chain when every tab closes; a new tab syncs it from the node alone, and the node restarts after SIGKILL with the same identity and tip.',
  defaultTabs: 3,
  minTabs: 1,
  async run(ctx) {
    const dataDir = makeDataDir();
    let node = await startNodeProcess({ relay: ctx.relayUrl, network: ctx.network, dataDir });
    ctx.onCleanup(async () => {
      const code = await stopNodeProcess(node);
      removeDataDir(dataDir);
      if (code !== 0 && code !== 'SIGKILL') throw new Error(`the full node did not shut down cleanly (${code}):\n${node.output().slice(-2_000)}`);
    });
    const nodeId = (await node.rpc.status()).id;
    let tabs: Tab[] = [];

    await ctx.step('Tabs and a full node form one mesh', `Opening ${ctx.tabCount} tabs; the full node ${short(nodeId)} (npm run node) joins them`, async () => {
      tabs = await ctx.openTabs(ctx.tabCount, { isolated: true });
      await ctx.check('every tab links to the full node', everyTab(tabs, peersOf, (peers) => peers.includes(nodeId), (p) => `${p.length} peers`));
      await ctx.check('the full node links to every tab', async () => ({ ok: (await nodePeers(node)).length === tabs.length, saw: `${(await nodePeers(node)).length} peers` }));
    });

    let chainTip = { height: 0, hash: '' };
    await ctx.step('The node relays and mines', (tab, index) => (index === 0 ? `${tab.label} pays the node; the node mines the block that confirms it` : 'Following the node\'s blocks'), async () => {
      await mineSynced(ctx, tabs[0]!, tabs);
      const txId = await send(tabs[0]!, nodeId, 25, 1);
      // GET /tx answers 404 until the transaction arrives: "not yet", not a failure.
      await ctx.check(`the node holds tx ${short(txId)}`, async () => {
        try {
          return ((await node.rpc.tx(txId)) as { status: string }).status === 'pending';
        } catch (error) {
          if (error instanceof RpcCallError && error.status === 404) return { ok: false, saw: '404' };
          throw error;
        }
      });
      const { hashes } = await node.rpc.mine(2);
      await checkTip(ctx, tabs, hashes.at(-1)!);
      await ctx.check('the payment is confirmed in every tab', everyTab(tabs, (tab) => txStatusOf(tab, txId), (s) => s === 'confirmed'));
      chainTip = await tipOf(tabs[0]!);
    });

    let joiner: Tab | undefined;
    await ctx.step('Every tab closes; a new tab syncs from the node alone', 'Every tab has closed; only the full node holds the chain. A new tab (fresh storage) opens', async () => {
      await ctx.closeTabs(tabs);
      await ctx.check('the node has no peer left', async () => (await nodePeers(node)).length === 0);
      const since = Date.now();
      [joiner] = await ctx.openTabs(1, { isolated: true });
      await ctx.check(`${joiner!.label} links to the node, its only peer`, async () => (await peersOf(joiner!)).join() === nodeId);
      await checkTip(ctx, [joiner!], chainTip.hash);
      ctx.note(`${joiner!.label} reached #${chainTip.height} from the node ${Date.now() - since} ms after it opened`);
    });

    await ctx.step('The node is killed and restarts', 'The full node gets SIGKILL (no shutdown at all) and starts again on its data', async () => {
      await ctx.check('the node dies on SIGKILL', async () => ({ ok: (await stopNodeProcess(node, 'SIGKILL')) === 'SIGKILL', saw: 'another exit' }), 0);
      await ctx.check(`${joiner!.label} loses its link`, async () => (await peersOf(joiner!)).length === 0);
      const since = Date.now();
      node = await startNodeProcess({ relay: ctx.relayUrl, network: ctx.network, dataDir });
      const restarted = await node.rpc.status();
      await ctx.check('the restarted node has the same identity and tip', async () => ({ ok: restarted.id === nodeId && restarted.tip.hash === chainTip.hash, saw: `${short(restarted.id)} at ${short(restarted.tip.hash)}` }), 0);
      await ctx.check(`${joiner!.label} links to the node again`, async () => (await peersOf(joiner!)).join() === nodeId);
      ctx.note(`restart to relink: ${Date.now() - since} ms`);
    });
  },
};
