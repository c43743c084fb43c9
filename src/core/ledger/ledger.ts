/**
 * The ledger: header index, best chain, account state, orphan pool and fork
 * choice over an injected ChainStore (docs/PROTOCOL.md, "Ledger"). Pure: the
 * store, signature verification, clock and log are components.
 *
 * acceptBlock calls are taken up in order, in groups: the calls waiting
 * when a group starts are admitted one by one and their blocks connected in
 * one store commit (group commit: while one commit is in flight, the blocks
 * that arrive wait and share the next; docs/PERFORMANCE.md, "Late-joiner sync"). The
 * tip moves, and 'tip' fires, only once a commit is written, so tip() is
 * always persisted. A block that breaks a rule fails alone: the blocks of
 * its group before it are still committed. The synchronous queries read the
 * in-memory state, which during a reorg may be between two tips; act on
 * 'tip' events, which fire once the change is complete.
 */
import { Emitter } from '../emitter.ts';
import { InvalidArgumentError } from '../result.ts';
import { txId, type Tx } from '../tx.ts';
import type { BlockHash, PeerId } from '../types.ts';
import { ActiveChain } from './active-chain.ts';
import { admitBlock, childContext, type AdmitComponents } from './admit.ts';
import { blockHash, genesisBlock, ledgerAccept, ledgerReject, merkleRoot } from './block.ts';
import { templateVersion } from './block-template.ts';
import { checkHeaderContext, checkProofOfWork } from './consensus.ts';
import { createDeploymentTracker } from './deployments.ts';
import { HeaderIndex, type HeaderEntry } from './header-index.ts';
import { loadChain } from './load.ts';
import { OrphanPool } from './orphan-pool.ts';
import { chainParams, type ChainParams } from './params.ts';
import { targetToHex } from './pow.ts';
import { MAX_BLOCKS_PER_COMMIT, activateBestChain, netChange, newActivationReport, type ActivationReport, type ReorgComponents } from './reorg.ts';
import { ZERO_ACCOUNT, checkTxStateless } from './state.ts';
import type { Account, Block, BlockHeader, LedgerResult } from './types.ts';
import type { BlockAcceptance, BlockSource, HeaderInfo, Ledger, LedgerComponents, LedgerEvents, LedgerInit, TipInfo } from './ledger-types.ts';

export type * from './ledger-types.ts';

/** One acceptBlock call waiting for its group. */
interface Submission {
  block: Block;
  source: BlockSource | undefined;
  resolve(result: LedgerResult<BlockAcceptance>): void;
  reject(error: unknown): void;
}

/** Dense for the last 10 heights, then doubling steps, always ending at genesis (Bitcoin's locator). */
function locatorHeights(tipHeight: number): number[] {
  const heights: number[] = [];
  let step = 1;
  for (let height = tipHeight; height > 0; height -= step) {
    heights.push(height);
    if (heights.length >= 10) step *= 2;
  }
  heights.push(0);
  return heights;
}

export async function createLedger(components: LedgerComponents, init: LedgerInit): Promise<Ledger> {
  const { store, verifier, clock, log } = components;
  if (typeof init.network !== 'string' || init.network.length === 0) throw new InvalidArgumentError('network must be a non-empty string');
  const network = init.network;
  const params: Readonly<ChainParams> = init.params ? Object.freeze({ ...chainParams(network), ...init.params }) : chainParams(network);
  const genesis = genesisBlock(network, params);
  const index = new HeaderIndex(genesis.header);
  const events = new Emitter<LedgerEvents>();
  const chain = new ActiveChain(store, params, index.genesis, genesis, (blocks) => events.emit('validated', blocks));
  const orphans = new OrphanPool(params.maxOrphanBlocks);
  // States are recomputed from the header index (itself rebuilt from stored headers), never stored.
  const deployments = createDeploymentTracker(params);
  let rebuildReason: string | undefined;

  const admit: AdmitComponents = { network, params, index, orphans, store, verifier, clock, deployments, rejected: new Map(), maxRejected: 1000 };
  const reorg: ReorgComponents = {
    index,
    chain,
    store,
    params,
    log,
    async recover(reason) {
      log.warn(`stored ledger state is corrupt (${reason}); rebuilding balances from stored blocks`, { reason });
      await chain.resetToGenesis();
      rebuildReason = reason;
      events.emit('rebuilt', reason);
    },
  };

  const tipInfo = (): TipInfo => {
    const tip = chain.tip();
    return { hash: tip.hash, height: tip.height, chainWork: tip.chainWork, timeMs: tip.header.timeMs };
  };
  const info = (entry: HeaderEntry): HeaderInfo => ({
    hash: entry.hash,
    header: entry.header,
    height: entry.height,
    chainWork: entry.chainWork,
    status: entry.invalid ? 'invalid' : chain.contains(entry) ? 'best' : 'side',
    ...(entry.invalid ? { invalidReason: `${entry.invalid.reason}: ${entry.invalid.detail}` } : {}),
  });

  /** acceptBlock calls not yet taken up, in call order. */
  let waiting: Submission[] = [];
  let draining = false;

  /**
   * Takes up waiting acceptBlock calls a group at a time, in order: every
   * call waiting when a group starts joins it (at most MAX_BLOCKS_PER_COMMIT),
   * so the blocks that arrive while one commit is in flight share the next.
   */
  async function drain(): Promise<void> {
    while (waiting.length > 0) {
      const group = waiting.slice(0, MAX_BLOCKS_PER_COMMIT);
      waiting = waiting.slice(group.length);
      try {
        const results = await acceptGroup(group);
        group.forEach((submission, i) => submission.resolve(results[i]!));
      } catch (error) {
        // A store failure: nothing of the group's commit was written; each caller learns why.
        for (const submission of group) submission.reject(error);
      }
    }
    draining = false;
  }

  function submit(block: Block, source: BlockSource | undefined): Promise<LedgerResult<BlockAcceptance>> {
    return new Promise((resolve, reject) => {
      waiting.push({ block, source, resolve, reject });
      // Started after the current task's synchronous part, so the calls it makes share a group.
      if (!draining) {
        draining = true;
        queueMicrotask(() => void drain());
      }
    });
  }

  /**
   * Makes the best chain active and reports the net change since `from`. The
   * event is emitted even when a store write throws half-way, so listeners
   * always learn about the blocks that did move.
   */
  async function activate(from: HeaderEntry, candidate: HeaderEntry | undefined, hints: Map<BlockHash, Block>, report = newActivationReport()) {
    chain.beginActivation();
    try {
      await activateBestChain(reorg, candidate, hints, report);
    } finally {
      chain.endActivation();
      const change = netChange(from, chain.tip(), report);
      if (change.connected.length > 0 || change.disconnected.length > 0) events.emit('tip', { ...change, tip: tipInfo() });
    }
    return { ...netChange(from, chain.tip(), report), report };
  }

  /**
   * Stores the indexed blocks of `hints` that no commit wrote. If one put fails, the others are still
   * tried and the first failure is thrown; a block left without a body is forgotten by reorg.ts when needed.
   */
  async function storeUnconnected(hints: ReadonlyMap<BlockHash, Block>, report: ActivationReport): Promise<void> {
    let failure: unknown;
    for (const [hash, block] of hints) {
      if (!index.has(hash) || report.touched.has(hash)) continue;
      await store.putBlock(block).catch((error: unknown) => {
        failure ??= error;
      });
    }
    if (failure !== undefined) throw failure;
  }

  /** Admits one block into the index; an indexed one comes back with the entries of the orphans it adopted. */
  async function admitOne(block: Block, source: BlockSource | undefined, hints: Map<BlockHash, Block>): Promise<LedgerResult<BlockAcceptance> | HeaderEntry[]> {
    const hash = blockHash(block.header);
    const admitted = await admitBlock(admit, block, hash, source);
    if (!admitted.ok) return admitted;
    const admission = admitted.value;
    if (admission.kind === 'known') return ledgerAccept({ status: 'known', connected: [], disconnected: [] });
    if (admission.kind === 'orphan') {
      if (admission.evicted.length > 0) log.info('orphan pool full; evicted the oldest', { evicted: admission.evicted.length });
      return ledgerAccept({ status: 'orphan', connected: [], disconnected: [], missingParent: admission.missingParent });
    }
    const entry = admission.entry;
    hints.set(hash, block);
    // Orphans waiting on this block (and on them) join the index now.
    const indexed = [entry];
    for (let i = 0; i < indexed.length; i++) {
      for (const orphan of orphans.takeChildren(indexed[i]!.hash)) {
        const adopted = await admitBlock(admit, orphan.block, orphan.hash, orphan.source);
        if (!adopted.ok) {
          log.warn('orphan refused once its parent arrived', { hash: orphan.hash, reason: adopted.reason, detail: adopted.detail });
        } else if (adopted.value.kind === 'indexed') {
          hints.set(adopted.value.entry.hash, orphan.block);
          indexed.push(adopted.value.entry);
        }
      }
    }
    return indexed;
  }

  /**
   * Accepts a group of blocks (acceptBlock calls that waited together): each
   * is admitted in order, then the heaviest newly indexed entry is activated
   * once, its path connected in one store commit (reorg.ts). Every result
   * reports the group's net change of the best chain.
   */
  async function acceptGroup(group: readonly Submission[]): Promise<LedgerResult<BlockAcceptance>[]> {
    const hints = new Map<BlockHash, Block>();
    const outcomes: (LedgerResult<BlockAcceptance> | HeaderEntry)[] = [];
    // The first indexed entry with the most work; a later one wins only with strictly more (seen first).
    let candidate: HeaderEntry | undefined;
    for (const { block, source } of group) {
      const admitted = await admitOne(block, source, hints);
      if (!Array.isArray(admitted)) {
        outcomes.push(admitted);
        continue;
      }
      outcomes.push(admitted[0]!);
      for (const entry of admitted) if (!candidate || entry.chainWork > candidate.chainWork) candidate = entry;
    }
    if (!candidate) return outcomes as LedgerResult<BlockAcceptance>[];
    const report = newActivationReport();
    let activated: Awaited<ReturnType<typeof activate>>;
    try {
      activated = await activate(chain.tip(), candidate, hints, report);
    } finally {
      // Blocks the activation connected were written by their commit; the rest (side branches, or all
      // of them when a commit failed, for the retry) are stored now: one store transaction per block.
      await storeUnconnected(hints, report);
    }
    const { connected, disconnected } = activated;
    return outcomes.map((outcome) => {
      if (!('hash' in outcome)) return outcome;
      if (outcome.invalid) return report.failures.get(outcome.hash) ?? ledgerReject(outcome.invalid.reason, outcome.invalid.detail);
      const status = !chain.contains(outcome) ? 'side-branch' : disconnected.length > 0 ? 'reorged' : 'connected';
      return ledgerAccept({ status, connected, disconnected });
    });
  }

  function checkHeader(header: BlockHeader): LedgerResult<'known' | 'orphan' | 'valid'> {
    const hash = blockHash(header);
    const known = index.get(hash);
    if (known) return known.invalid ? ledgerReject(known.invalid.reason, `previously rejected: ${known.invalid.detail}`) : ledgerAccept('known');
    if (orphans.has(hash)) return ledgerAccept('orphan');
    const parent = index.get(header.prevHash);
    if (!parent) {
      const pow = checkProofOfWork(header, params, hash);
      return pow.ok ? ledgerAccept('orphan') : pow;
    }
    if (parent.invalid) return ledgerReject('invalid-parent', `parent ${parent.hash} is invalid: ${parent.invalid.reason}`);
    const result = checkHeaderContext(header, childContext(parent, params, clock.nowMs()), params, hash);
    return result.ok ? ledgerAccept('valid') : result;
  }

  function checkTx(tx: Tx): LedgerResult<void> {
    const stateless = checkTxStateless(tx, deployments.paramsFor(chain.settledTip()));
    if (!stateless.ok) return stateless;
    const account = chain.settledAccount(tx.from) ?? ZERO_ACCOUNT;
    if (tx.nonce < account.nonce) return ledgerReject('bad-nonce', `nonce ${tx.nonce} is already used; the next is ${account.nonce}`);
    if (account.balance < tx.amount + tx.fee) {
      return ledgerReject('insufficient-funds', `balance ${account.balance} does not cover amount ${tx.amount} + fee ${tx.fee}`);
    }
    return ledgerAccept(undefined);
  }

  function buildHeaderTemplate(miner: PeerId, txs: readonly Tx[], timeMs: number): BlockHeader {
    // On the tip the mempool and account() agree with: during a reorg the half-way tip would take
    // transactions chosen against another state, and the ledger would refuse the block.
    const tip = chain.settledTip();
    const context = childContext(tip, params, clock.nowMs());
    return {
      version: templateVersion(params.deployments.map((d) => ({ bit: d.bit, state: deployments.stateFor(tip, d.name) }))),
      prevHash: tip.hash,
      height: tip.height + 1,
      timeMs: Math.max(timeMs, context.medianTimePastMs + 1),
      target: targetToHex(context.expectedTarget),
      merkleRoot: merkleRoot(txs.map(txId)),
      nonce: 0,
      miner,
    };
  }

  const loadProblem = await loadChain({ store, index, chain, params, log });
  if (loadProblem) rebuildReason = loadProblem;
  // A stored branch heavier than the stored tip (a reorg cut short, or a rebuild) is connected now.
  await activate(chain.tip(), undefined, new Map());

  return {
    network,
    params,
    genesisHash: index.genesis.hash,
    events,
    get rebuilt() {
      return rebuildReason !== undefined;
    },
    get rebuildReason() {
      return rebuildReason;
    },
    tip: tipInfo,
    account: (id) => ({ ...(chain.settledAccount(id) ?? ZERO_ACCOUNT) }),
    *accounts() {
      for (const [id, account] of chain.accounts) yield [id, { ...account }] as [PeerId, Account];
    },
    totalIssued: () => chain.issued(),
    headerEntry: (hash) => {
      const entry = index.get(hash);
      return entry && info(entry);
    },
    hasBlock: (hash) => index.has(hash) || orphans.has(hash) || admit.rejected.has(hash),
    getBlock: async (hash) => (hash === index.genesis.hash ? genesis : index.has(hash) ? store.getBlock(hash) : undefined),
    ancestorAt: (height) => {
      const entry = chain.at(height);
      return entry && info(entry);
    },
    locator: () => locatorHeights(chain.tip().height).map((height) => chain.at(height)!.hash),
    headersAfter(locator, max) {
      let start = 0;
      for (const hash of locator) {
        const entry = index.get(hash);
        if (entry && chain.contains(entry)) {
          start = entry.height;
          break;
        }
      }
      const count = Math.max(0, Math.min(Math.floor(max), params.maxHeadersPerRequest, chain.tip().height - start));
      return Array.from({ length: count }, (_, i) => chain.at(start + 1 + i)!.header);
    },
    txLocation: (id) => store.getTxLocation(id),
    acceptBlock: submit,
    checkHeader,
    checkTx,
    buildHeaderTemplate,
    deployments: () => deployments.statusFor(chain.settledTip()),
    nextBlockParams: () => deployments.paramsFor(chain.settledTip()),
  };
}
