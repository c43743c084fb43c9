/**
 * Ledger invariants for simulator tests (issue 3, "The simulator"): checks
 * that read a node's ledger and return the violations they find, as
 * strings naming the node, so an assertion on `[]` shows every problem at once.
 *
 * - Coins: the sum of balances equals totalIssued(), which equals the reward
 *   times the tip height; no balance is negative.
 * - The best chain, walked from genesis: each block links to the one below,
 *   no transaction appears twice, and each sender's nonces are exactly
 *   0, 1, 2, ... in chain order. Replaying the chain from nothing gives
 *   exactly the ledger's accounts, so the incremental state and undo data
 *   agree with the blocks.
 * - Agreement: live nodes hold the same block at every height more than k
 *   below the lowest tip.
 */
import { blockRewardAt } from '../core/ledger/params.ts';
import type { Block } from '../core/ledger/types.ts';
import { txId } from '../core/tx.ts';
import type { PeerId, TxId } from '../core/types.ts';
import type { SimNetwork } from './sim-network.ts';
import type { LedgerSimNode, SimNode } from './sim-node.ts';

type LedgerNet = SimNetwork<LedgerSimNode>;
type LedgerSim = SimNode<LedgerSimNode>;

/** Coins and signs at the node's tip: cheap enough to run after every step of a schedule. */
export function coinViolations(sim: LedgerSim): string[] {
  const { ledger } = sim.node;
  const problems: string[] = [];
  let sum = 0;
  for (const [id, account] of ledger.accounts()) {
    sum += account.balance;
    if (account.balance < 0) problems.push(`node ${sim.index}: account ${id.slice(0, 8)} has balance ${account.balance}`);
    if (account.nonce < 0) problems.push(`node ${sim.index}: account ${id.slice(0, 8)} has nonce ${account.nonce}`);
  }
  const tip = ledger.tip();
  const issued = ledger.totalIssued();
  if (sum !== issued) problems.push(`node ${sim.index}: balances sum to ${sum} but ${issued} were issued (tip ${tip.height})`);
  if (issued !== tip.height * ledger.params.blockReward) problems.push(`node ${sim.index}: ${issued} issued at height ${tip.height}`);
  return problems;
}

/** Pooled transactions must be minable later: none may use a nonce the node's tip already consumed. */
export function mempoolViolations(sim: LedgerSim): string[] {
  const { ledger, mempool } = sim.node;
  return mempool.list().flatMap((entry) => {
    const confirmed = ledger.account(entry.tx.from).nonce;
    return entry.tx.nonce < confirmed ? [`node ${sim.index}: mempool holds ${entry.id.slice(0, 12)} with nonce ${entry.tx.nonce}, below the confirmed ${confirmed}`] : [];
  });
}

/** The blocks of the node's best chain from height 1 to the tip, read through ancestorAt and getBlock. */
export async function bestChain(sim: LedgerSim): Promise<Block[]> {
  const { ledger } = sim.node;
  const blocks: Block[] = [];
  for (let height = 1; height <= ledger.tip().height; height++) {
    const entry = ledger.ancestorAt(height);
    const block = entry && (await ledger.getBlock(entry.hash));
    if (!block) throw new Error(`node ${sim.index}: no block at height ${height} of its best chain`);
    blocks.push(block);
  }
  return blocks;
}

/** Confirmed transaction ids of the node's best chain, with their heights. */
export async function confirmedTxs(sim: LedgerSim): Promise<Map<TxId, number>> {
  const confirmed = new Map<TxId, number>();
  for (const block of await bestChain(sim)) for (const tx of block.txs) confirmed.set(txId(tx), block.header.height);
  return confirmed;
}

/**
 * Walks the best chain from genesis and replays it from nothing: links,
 * unique transactions, nonces 0, 1, 2, ... per sender, no overdraft, and the
 * replayed accounts equal the ledger's.
 */
export async function chainViolations(sim: LedgerSim): Promise<string[]> {
  const { ledger } = sim.node;
  const problems: string[] = [];
  const at = `node ${sim.index}`;
  const replayed = new Map<PeerId, { balance: number; nonce: number }>();
  const accountOf = (id: PeerId) => {
    let account = replayed.get(id);
    if (!account) replayed.set(id, (account = { balance: 0, nonce: 0 }));
    return account;
  };
  const seen = new Set<TxId>();
  let prevHash = ledger.genesisHash;
  for (const block of await bestChain(sim)) {
    const { height } = block.header;
    if (block.header.prevHash !== prevHash) problems.push(`${at}: block at height ${height} does not link to the block below`);
    prevHash = ledger.ancestorAt(height)!.hash;
    let fees = 0;
    for (const tx of block.txs) {
      const id = txId(tx);
      if (seen.has(id)) problems.push(`${at}: transaction ${id.slice(0, 12)} is confirmed twice (again at height ${height})`);
      seen.add(id);
      const sender = accountOf(tx.from);
      if (tx.nonce !== sender.nonce) problems.push(`${at}: ${tx.from.slice(0, 8)} used nonce ${tx.nonce} at height ${height}; expected ${sender.nonce}`);
      sender.nonce = tx.nonce + 1;
      sender.balance -= tx.amount + tx.fee;
      if (sender.balance < 0) problems.push(`${at}: ${tx.from.slice(0, 8)} overdrew to ${sender.balance} at height ${height}`);
      accountOf(tx.to).balance += tx.amount;
      fees += tx.fee;
    }
    accountOf(block.header.miner).balance += blockRewardAt(height, ledger.params) + fees;
  }
  const actual = new Map([...ledger.accounts()].map(([id, account]) => [id, account]));
  for (const [id, account] of replayed) {
    const held = actual.get(id) ?? { balance: 0, nonce: 0 };
    if (held.balance !== account.balance || held.nonce !== account.nonce) {
      problems.push(`${at}: ${id.slice(0, 8)} is ${JSON.stringify(held)} in the ledger but ${JSON.stringify(account)} by replaying the chain`);
    }
  }
  for (const [id, account] of actual) {
    if (!replayed.has(id) && (account.balance !== 0 || account.nonce !== 0)) problems.push(`${at}: ${id.slice(0, 8)} is ${JSON.stringify(account)} but no block touches it`);
  }
  return problems;
}

/** Every check above on every live node. */
export async function ledgerViolations(net: LedgerNet): Promise<string[]> {
  const problems: string[] = [];
  for (const sim of net.live()) problems.push(...coinViolations(sim), ...mempoolViolations(sim), ...(await chainViolations(sim)));
  return problems;
}

/**
 * Live nodes that disagree about a block more than `depth` below the lowest
 * live tip (a node whose tip is that low has nothing that deep to compare).
 */
export function deepDisagreements(net: LedgerNet, depth: number): string[] {
  const live = net.live();
  const lowest = Math.min(...live.map((sim) => sim.node.ledger.tip().height));
  const height = lowest - depth;
  if (height < 1) return [];
  const reference = live[0]!.node.ledger.ancestorAt(height)!.hash;
  return live.flatMap((sim) => {
    const hash = sim.node.ledger.ancestorAt(height)?.hash;
    return hash === reference ? [] : [`node ${sim.index} has ${hash?.slice(0, 12)} at height ${height}, node ${live[0]!.index} has ${reference.slice(0, 12)}`];
  });
}

/** Groups of `members` connected over open links (each group in index order, groups by their first member). */
function componentsWithin(net: LedgerNet, members: readonly number[]): number[][] {
  const inside = new Set(members.filter((index) => net.nodes[index]?.alive));
  const adjacency = new Map<number, number[]>();
  for (const pair of net.links()) {
    if (!inside.has(pair.a.index) || !inside.has(pair.b.index)) continue;
    adjacency.set(pair.a.index, [...(adjacency.get(pair.a.index) ?? []), pair.b.index]);
    adjacency.set(pair.b.index, [...(adjacency.get(pair.b.index) ?? []), pair.a.index]);
  }
  const seen = new Set<number>();
  const components: number[][] = [];
  for (const start of [...inside].sort((x, y) => x - y)) {
    if (seen.has(start)) continue;
    const component = [start];
    seen.add(start);
    for (let i = 0; i < component.length; i++) {
      for (const next of adjacency.get(component[i]!) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        component.push(next);
      }
    }
    components.push(component.sort((x, y) => x - y));
  }
  return components;
}

/**
 * Links the components that `members` form over open links into one, so a
 * test's partition side (or the whole network after churn) is connected:
 * random graphs split by index, or thinned by leave(), may fall apart, and
 * that is the harness's doing, not the protocol's. Skips pairs where either
 * node holds the other off (a ban would close the link at once). Returns the
 * links added; throws if some component cannot be joined.
 */
export function connectWithin(net: LedgerNet, members: readonly number[]): number {
  const holdsOff = (x: number, y: number) => net.nodes[x]!.node.banOf(net.nodes[y]!.peerId) !== undefined || net.nodes[y]!.node.banOf(net.nodes[x]!.peerId) !== undefined;
  let added = 0;
  for (let components = componentsWithin(net, members); components.length > 1; components = componentsWithin(net, members)) {
    const [main, stray] = [components[0]!, components[1]!];
    let linked = false;
    for (const x of stray) {
      for (const y of main) {
        if (holdsOff(x, y) || !net.link(y, x)?.isOpen()) continue;
        linked = true;
        break;
      }
      if (linked) break;
    }
    if (!linked) throw new Error(`cannot connect nodes ${stray.join(',')} to the rest: every pair holds the other off`);
    added++;
  }
  return added;
}

/** What watchSyncLiveness reports. */
export interface SyncLivenessWatch {
  /** Each time a node stayed more than graceMs below the work a linked peer had: node, peer, how long. */
  readonly violations: string[];
  /** The longest any node took to reach the work a linked peer showed (ms; 0 when none ever lagged). */
  worstLagMs(): number;
  stop(): void;
}

/**
 * Sync liveness (issue 20): a node never stays more than `graceMs` on a
 * chain with less work than a linked peer's tip. Sampled every `sampleMs` of
 * virtual time: when a node is behind a peer it is linked to (over a link the
 * transport carries: a partition excuses it), it owes that peer's work; the
 * debt is paid when its own tip reaches it, dropped when no linked peer has
 * that much any more, and a violation once it is older than graceMs. Blocks
 * mined all the time do not trip it: each debt is the work a peer had then.
 */
export function watchSyncLiveness(net: LedgerNet, options: { graceMs?: number; sampleMs?: number } = {}): SyncLivenessWatch {
  const graceMs = options.graceMs ?? 5_000;
  const sampleMs = options.sampleMs ?? 250;
  const debts = new Map<string, { sinceMs: number; work: bigint; peer: number }>();
  const violations: string[] = [];
  let worst = 0;
  const handle = net.scheduler.every(sampleMs, () => {
    const now = net.nowMs();
    for (const sim of net.live()) {
      const key = `${sim.index}/${sim.incarnation}`;
      const own = sim.node.ledger.tip().chainWork;
      let best = own;
      let bestPeer = -1;
      for (const peer of sim.node.peers()) {
        const other = net.indexOf(peer.id);
        const node = other === undefined ? undefined : net.nodes[other];
        if (!node?.alive || !net.connected(sim.index, other!) || !net.connected(other!, sim.index)) continue;
        const work = node.node.ledger.tip().chainWork;
        if (work > best) [best, bestPeer] = [work, other!];
      }
      const debt = debts.get(key);
      if (debt && (own >= debt.work || best < debt.work)) {
        if (own >= debt.work) worst = Math.max(worst, now - debt.sinceMs);
        debts.delete(key);
      }
      const open = debts.get(key);
      if (!open && best > own) debts.set(key, { sinceMs: now, work: best, peer: bestPeer });
      else if (open && now - open.sinceMs > graceMs) {
        violations.push(`t=${now} node ${sim.index} has stayed ${now - open.sinceMs} ms below the work node ${open.peer} had at t=${open.sinceMs} (tip ${sim.node.ledger.tip().height}, ${sim.node.peers().length} links)`);
        worst = Math.max(worst, now - open.sinceMs);
        debts.delete(key);
      }
    }
  }, { background: true });
  return { violations, worstLagMs: () => worst, stop: () => handle.cancel() };
}
