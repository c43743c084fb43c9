/**
 * Checks a batch of headers from a peer before any body is fetched
 * (headers-first, docs/PROTOCOL.md "Sync"): they must link to each other and
 * to a block we know, each must carry valid proof-of-work for its target,
 * and the branch they extend must end up with more work than our tip. The
 * first header is checked fully in context by the ledger; later ones, whose
 * parents have no body yet, are checked for proof-of-work, a target the
 * retarget rule allows (unchanged between retarget heights, at most 4× away
 * at one) and increasing heights. Each body is checked fully when it arrives.
 */
import { blockHash } from './ledger/block.ts';
import { checkProofOfWork } from './ledger/consensus.ts';
import type { Ledger } from './ledger/ledger.ts';
import { targetFromHex, workForTarget } from './ledger/pow.ts';
import type { BlockHeader, LedgerResult } from './ledger/types.ts';
import type { BlockHash } from './types.ts';

export interface CheckedHeaders {
  /** Hashes in chain order that we lack and should fetch. */
  wanted: { hash: BlockHash; header: BlockHeader }[];
  /** Cumulative work at the last header, if its chain beats our tip. */
  beatsTip: boolean;
  lastHash?: BlockHash;
}

export function checkHeaderChain(ledger: Ledger, headers: readonly BlockHeader[]): LedgerResult<CheckedHeaders> {
  const params = ledger.params;
  const wanted: CheckedHeaders['wanted'] = [];
  let parentHash: BlockHash | undefined;
  let parent: BlockHeader | undefined;
  let work = 0n;
  for (const header of headers) {
    const hash = blockHash(header);
    if (parentHash === undefined) {
      const base = ledger.headerEntry(header.prevHash);
      if (!base) return { ok: false, reason: 'unknown-parent', detail: 'the first header does not build on a block we know' };
      work = base.chainWork;
      const check = ledger.checkHeader(header);
      if (!check.ok) return check;
    } else {
      if (header.prevHash !== parentHash || header.height !== parent!.height + 1) {
        return { ok: false, reason: 'bad-height', detail: `header ${hash.slice(0, 12)} does not follow the previous one` };
      }
      const pow = checkProofOfWork(header, params, hash);
      if (!pow.ok) return pow;
      const target = targetFromHex(header.target);
      const previous = targetFromHex(parent!.target);
      const retargets = params.retargetIntervalBlocks > 0 && header.height % params.retargetIntervalBlocks === 0;
      const factor = BigInt(params.maxRetargetFactor);
      if (retargets ? target > previous * factor || target * factor < previous : target !== previous) {
        return { ok: false, reason: 'bad-target', detail: `header ${hash.slice(0, 12)} changes the target outside the retarget rule` };
      }
    }
    work += workForTarget(targetFromHex(header.target));
    if (!ledger.hasBlock(hash)) wanted.push({ hash, header });
    parentHash = hash;
    parent = header;
  }
  return { ok: true, value: { wanted, beatsTip: work > ledger.tip().chainWork, lastHash: parentHash } };
}
