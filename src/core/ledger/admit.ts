/**
 * Admission of one block into the header index (docs/PROTOCOL.md, "Block
 * validation"), in order of cost:
 *  1. known block or known orphan: nothing to do;
 *  2. context-free: not a second genesis, proof-of-work against the header's
 *     own target within powLimit, body matching the Merkle root, no repeated id;
 *  3. unknown parent: held in the orphan pool;
 *  4. in context: parent valid, version, height, target = nextTarget, time
 *     after the median time past and not too far ahead of the clock;
 *  5. every transaction's stateless rules under the parameters the parent's
 *     deployments put in force (deployments.ts: minfee2 raises minFee), then
 *     all signatures in one batch;
 *  6. indexed. The ledger stores the body after activation: a block that
 *     joined the best chain is written by its connect commit, any other by
 *     store.putBlock (ledger.ts), so a block costs one store transaction.
 *     Account rules are checked when the block is connected (reorg.ts), since
 *     they depend on the branch.
 * Only failures the header commits to are remembered as invalid: a mutated
 * body or a too-new timestamp may be followed by the genuine block.
 */
import { txVerifyItem } from '../tx.ts';
import type { BlockHash, Clock, PeerId, Verifier } from '../types.ts';
import { ledgerAccept, ledgerReject } from './block.ts';
import { checkBlockCommitment, checkBlockTxsStateless, checkHeaderContext, checkProofOfWork, medianTimePast, nextTarget, type HeaderContext } from './consensus.ts';
import { ancestorOf, recentTimes, type HeaderEntry, type HeaderIndex } from './header-index.ts';
import type { DeploymentTracker } from './deployments.ts';
import type { OrphanPool } from './orphan-pool.ts';
import type { ChainParams } from './params.ts';
import type { Block, ChainStore, LedgerReject, LedgerResult } from './types.ts';

export interface AdmitComponents {
  network: string;
  params: Readonly<ChainParams>;
  index: HeaderIndex;
  orphans: OrphanPool;
  store: ChainStore;
  verifier: Verifier;
  clock: Clock;
  /** Deployment states, for the rules a child of a given parent is held to. */
  deployments: DeploymentTracker;
  /** Recently refused blocks whose header commits to the failure, so a resend is refused cheaply. */
  rejected: Map<BlockHash, LedgerReject>;
  maxRejected: number;
}

export type Admission = { kind: 'known' } | { kind: 'orphan'; missingParent: BlockHash; evicted: BlockHash[] } | { kind: 'indexed'; entry: HeaderEntry };

/** The context a child of `parent` is checked in. */
export function childContext(parent: HeaderEntry, params: Readonly<ChainParams>, nowMs: number): HeaderContext {
  const timeAt = (height: number) => ancestorOf(parent, height)!.header.timeMs;
  return {
    parentHeight: parent.height,
    expectedTarget: nextTarget({ height: parent.height, timeMs: parent.header.timeMs, target: parent.target }, timeAt, params),
    medianTimePastMs: medianTimePast(recentTimes(parent, params.medianTimeSpan)),
    nowMs,
  };
}

function remember(components: AdmitComponents, hash: BlockHash, reject: LedgerReject): LedgerReject {
  components.rejected.set(hash, reject);
  if (components.rejected.size > components.maxRejected) components.rejected.delete(components.rejected.keys().next().value!);
  return reject;
}

export async function admitBlock(components: AdmitComponents, block: Block, hash: BlockHash, source: PeerId | 'self' | undefined): Promise<LedgerResult<Admission>> {
  const { params, index, orphans } = components;
  const { header } = block;
  const known = index.get(hash);
  if (known) return known.invalid ? ledgerReject(known.invalid.reason, `previously rejected: ${known.invalid.detail}`) : ledgerAccept({ kind: 'known' });
  const refused = components.rejected.get(hash);
  if (refused) return ledgerReject(refused.reason, `previously rejected: ${refused.detail}`, refused.txIndex);
  if (orphans.has(hash)) return ledgerAccept({ kind: 'orphan', missingParent: orphans.missingAncestor(hash), evicted: [] });
  if (header.height === 0) return remember(components, hash, ledgerReject('bad-genesis', `block ${hash} claims height 0 but is not this network's genesis`));
  const pow = checkProofOfWork(header, params, hash);
  if (!pow.ok) return remember(components, hash, pow);
  const commitment = checkBlockCommitment(block, params);
  if (!commitment.ok) return commitment;

  const parent = index.get(header.prevHash);
  if (!parent) {
    const evicted = orphans.add({ hash, block, source });
    return ledgerAccept({ kind: 'orphan', missingParent: orphans.missingAncestor(hash), evicted });
  }
  if (parent.invalid) return remember(components, hash, ledgerReject('invalid-parent', `parent ${parent.hash} is invalid: ${parent.invalid.reason}`));
  const context = checkHeaderContext(header, childContext(parent, params, components.clock.nowMs()), params, hash);
  if (!context.ok) return context.reason === 'time-too-new' ? context : remember(components, hash, context);
  const stateless = checkBlockTxsStateless(block, params);
  if (!stateless.ok) return remember(components, hash, stateless);
  // Which rules apply depends only on the ancestors, so a failure is the header's and is remembered. It is
  // named apart: a build that does not know the deployment relays such a block in good faith (block-relay.ts).
  const ruled = components.deployments.paramsFor(parent);
  const stricter = ruled === params ? stateless : checkBlockTxsStateless(block, ruled);
  if (!stricter.ok) return remember(components, hash, ledgerReject('deployment-rule', `${stricter.reason}: ${stricter.detail}`, stricter.txIndex));
  if (block.txs.length > 0) {
    const valid = await components.verifier.verify(block.txs.map((tx) => txVerifyItem(components.network, tx)));
    const bad = block.txs.findIndex((_, i) => valid[i] !== true);
    if (bad >= 0) return remember(components, hash, ledgerReject('bad-signature', `transaction ${bad}: signature does not verify`, bad));
  }
  return ledgerAccept({ kind: 'indexed', entry: index.add(header, hash, parent) });
}
