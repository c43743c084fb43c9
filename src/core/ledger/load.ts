/**
 * Start-up: rebuild the header index from stored headers, then adopt the
 * stored tip state only if it agrees with the stored chain (docs/PROTOCOL.md,
 * "Storage integrity"). Otherwise the state is wiped back to genesis and the
 * ledger replays stored blocks (corruption recovery, the one allowed replay).
 */
import { isHexOfLength } from '../bytes.ts';
import type { Logger, PeerId } from '../types.ts';
import type { ActiveChain } from './active-chain.ts';
import { blockHash } from './block.ts';
import { checkProofOfWork } from './consensus.ts';
import type { HeaderIndex } from './header-index.ts';
import { issuedAt, type ChainParams } from './params.ts';
import { StateDigest } from './state-digest.ts';
import type { Account, BlockHeader, ChainStore, TipRecord } from './types.ts';

export interface LoadComponents {
  store: ChainStore;
  index: HeaderIndex;
  chain: ActiveChain;
  params: Readonly<ChainParams>;
  log: Logger;
}

/** Indexes stored headers parent-first; skips (and logs) any without a parent or with bad proof-of-work. */
function indexHeaders(components: LoadComponents, headers: BlockHeader[]): number {
  const { index, params, log } = components;
  let skipped = 0;
  const sorted = [...headers].sort((a, b) => a.height - b.height);
  for (const header of sorted) {
    if (header.height === 0) continue;
    const hash = blockHash(header);
    if (index.has(hash)) continue;
    const parent = index.get(header.prevHash);
    if (!parent || parent.height + 1 !== header.height || !checkProofOfWork(header, params, hash).ok) {
      skipped++;
      continue;
    }
    index.add(header, hash, parent);
  }
  if (skipped > 0) log.warn('stored headers without a known parent or valid proof-of-work were skipped', { skipped });
  return skipped;
}

function isAccount(value: unknown): value is Account {
  if (typeof value !== 'object' || value === null) return false;
  const { balance, nonce } = value as Account;
  return Number.isSafeInteger(balance) && balance >= 0 && Number.isSafeInteger(nonce) && nonce >= 0;
}

/** Why the stored state cannot be trusted, or undefined when it checks out. */
function findProblem(components: LoadComponents, tip: TipRecord, accounts: [PeerId, Account][]): string | undefined {
  const entry = components.index.get(tip.hash);
  if (!entry) return `the stored tip ${tip.hash} is not among the stored headers`;
  if (entry.invalid) return `the stored tip ${tip.hash} is invalid`;
  if (tip.height !== entry.height) return `the stored tip claims height ${tip.height}, its header says ${entry.height}`;
  if (tip.chainWork !== entry.chainWork.toString()) return `the stored tip claims chain work ${tip.chainWork}, its headers sum to ${entry.chainWork}`;
  const seen = new Set<PeerId>();
  let total = 0;
  for (const [id, account] of accounts) {
    if (!isHexOfLength(id, 32) || seen.has(id)) return `stored account id ${String(id)} is malformed or repeated`;
    if (!isAccount(account)) return `stored account ${id} is malformed`;
    seen.add(id);
    total += account.balance;
  }
  if (total !== issuedAt(entry.height, components.params)) return `stored balances sum to ${total}, but the chain issued ${issuedAt(entry.height, components.params)}`;
  const digest = StateDigest.of(accounts).hex();
  if (digest !== tip.stateHash) return `the stored accounts hash to ${digest}, but the tip recorded ${String(tip.stateHash)}`;
  return undefined;
}

/**
 * Loads the stored chain into `index` and `chain`. Returns the reason when the
 * state had to be reset for a rebuild (the caller then activates the best
 * stored chain, which replays it), or undefined when the stored state was adopted.
 */
export async function loadChain(components: LoadComponents): Promise<string | undefined> {
  const { store, index, chain, log } = components;
  const [headers, state] = await Promise.all([store.listHeaders(), store.loadState()]);
  indexHeaders(components, headers);
  let problem: string | undefined;
  if (!state) {
    if (index.size === 1) {
      await chain.initGenesis();
      return undefined;
    }
    problem = 'blocks are stored but the account state is missing';
  } else {
    problem = findProblem(components, state.tip, state.accounts);
    if (!problem) {
      const tip = index.get(state.tip.hash)!;
      index.preferOnTies(tip);
      chain.load(tip, state.accounts, StateDigest.of(state.accounts));
      return undefined;
    }
  }
  log.warn(`stored ledger state is corrupt (${problem}); rebuilding balances from stored blocks`, { problem });
  await chain.resetToGenesis();
  return problem;
}
