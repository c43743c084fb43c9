/**
 * Account state transitions (docs/PROTOCOL.md, "Ledger rules"). Pure and
 * synchronous: signatures are verified by the caller, in worker batches,
 * before a block gets here.
 */
import { isHexOfLength } from '../bytes.ts';
import type { Tx } from '../tx.ts';
import type { BlockHash, PeerId } from '../types.ts';
import { blockHash, ledgerAccept, ledgerReject } from './block.ts';
import { blockRewardAt, type ChainParams } from './params.ts';
import type { Account, Block, BlockUndo, LedgerResult } from './types.ts';

/** The account every unknown id has: nothing, and nonce 0. */
export const ZERO_ACCOUNT: Readonly<Account> = Object.freeze({ balance: 0, nonce: 0 });

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * Rules that need no state: well-formed fields, amount ≥ 1, fee ≥ minFee,
 * amount + fee ≤ 2^53−1, and no transfer to oneself. Self-transfers are
 * refused: they move nothing, and a wallet sending to itself is almost always
 * a mistake. Every transaction encodes to exactly 153 bytes (tx.ts), so a
 * well-formed one is within the size limit by construction.
 */
export function checkTxStateless(tx: Tx, params: Readonly<ChainParams>): LedgerResult<void> {
  if (!isHexOfLength(tx.from, 32)) return ledgerReject('bad-field', 'from must be 64 lower-case hex characters');
  if (!isHexOfLength(tx.to, 32)) return ledgerReject('bad-field', 'to must be 64 lower-case hex characters');
  if (!isHexOfLength(tx.signature, 64)) return ledgerReject('bad-field', 'signature must be 128 lower-case hex characters');
  if (!Number.isSafeInteger(tx.nonce) || tx.nonce < 0) return ledgerReject('bad-field', `nonce ${tx.nonce} is not an integer in [0, 2^53-1]`);
  if (!Number.isSafeInteger(tx.amount) || tx.amount < 1) return ledgerReject('bad-amount', `amount ${tx.amount} is not an integer in [1, 2^53-1]`);
  if (!Number.isSafeInteger(tx.fee) || tx.fee < 0) return ledgerReject('bad-field', `fee ${tx.fee} is not an integer in [0, 2^53-1]`);
  if (tx.fee < params.minFee) return ledgerReject('fee-too-low', `fee ${tx.fee} is below the minimum ${params.minFee}`);
  if (tx.amount > MAX - tx.fee) return ledgerReject('overflow', 'amount + fee exceeds 2^53-1');
  if (tx.from === tx.to) return ledgerReject('self-transfer', 'sender and recipient are the same account');
  return ledgerAccept(undefined);
}

/**
 * A transaction against its sender's account: the stateless rules, then the
 * nonce must equal account.nonce ('bad-nonce' when lower: a replay or an
 * already-used nonce; 'nonce-too-high' when higher: a gap), and the balance
 * must cover amount + fee.
 */
export function checkTxAgainstAccount(tx: Tx, account: Readonly<Account>, params: Readonly<ChainParams>): LedgerResult<void> {
  const stateless = checkTxStateless(tx, params);
  if (!stateless.ok) return stateless;
  if (tx.nonce < account.nonce) return ledgerReject('bad-nonce', `nonce ${tx.nonce} is already used; the next is ${account.nonce}`);
  if (tx.nonce > account.nonce) return ledgerReject('nonce-too-high', `nonce ${tx.nonce} skips ahead; the next is ${account.nonce}`);
  if (account.balance < tx.amount + tx.fee) {
    return ledgerReject('insufficient-funds', `balance ${account.balance} does not cover amount ${tx.amount} + fee ${tx.fee}`);
  }
  return ledgerAccept(undefined);
}

/** Read access to the accounts a block is applied on. */
export interface AccountView {
  get(id: PeerId): Readonly<Account> | undefined;
}

export interface AppliedBlock {
  undo: BlockUndo;
  /** Every touched account after the block, in first-touched order. */
  changed: [PeerId, Account][];
  /** Sum of the block's fees, paid to the miner. */
  fees: number;
  /** The new coins this block created. */
  reward: number;
}

/**
 * Applies a block's transactions in order, then credits the miner with the
 * reward plus all fees (the implicit coinbase, the only way coins are
 * created). Any invalid transaction makes the whole block invalid, reported
 * with its index. `view` is not modified; the caller applies `changed`.
 * `undoMeta` fills the undo record's hash and prevStateHash (see BlockUndo);
 * by default the block's own hash and an empty digest.
 */
export function applyBlock(
  view: AccountView,
  block: Block,
  params: Readonly<ChainParams>,
  undoMeta: { hash: BlockHash; prevStateHash: string } = { hash: blockHash(block.header), prevStateHash: '' },
): LedgerResult<AppliedBlock> {
  const working = new Map<PeerId, Account>();
  const before: BlockUndo['before'] = [];
  const touch = (id: PeerId): Account => {
    let account = working.get(id);
    if (!account) {
      const original = view.get(id);
      before.push({ id, account: original ? { ...original } : null });
      account = original ? { ...original } : { ...ZERO_ACCOUNT };
      working.set(id, account);
    }
    return account;
  };
  let fees = 0;
  for (const [index, tx] of block.txs.entries()) {
    const sender = working.get(tx.from) ?? view.get(tx.from) ?? ZERO_ACCOUNT;
    const check = checkTxAgainstAccount(tx, sender, params);
    if (!check.ok) return ledgerReject(check.reason, `transaction ${index}: ${check.detail}`, index);
    const recipient = working.get(tx.to) ?? view.get(tx.to) ?? ZERO_ACCOUNT;
    if (recipient.balance > MAX - tx.amount) return ledgerReject('overflow', `transaction ${index}: recipient balance would exceed 2^53-1`, index);
    if (fees > MAX - tx.fee) return ledgerReject('overflow', `transaction ${index}: total fees would exceed 2^53-1`, index);
    const from = touch(tx.from);
    from.balance -= tx.amount + tx.fee;
    from.nonce += 1;
    touch(tx.to).balance += tx.amount;
    fees += tx.fee;
  }
  const reward = blockRewardAt(block.header.height, params);
  if (reward > MAX - fees) return ledgerReject('overflow', 'reward + fees exceeds 2^53-1');
  if (reward + fees > 0) {
    const miner = touch(block.header.miner);
    if (miner.balance > MAX - reward - fees) return ledgerReject('overflow', 'miner balance would exceed 2^53-1');
    miner.balance += reward + fees;
  }
  return ledgerAccept({ undo: { hash: undoMeta.hash, before, prevStateHash: undoMeta.prevStateHash }, changed: [...working], fees, reward });
}

/**
 * Restores the accounts a block touched (null: the account did not exist) in
 * `accounts`, and returns the restored entries for the store.
 */
export function undoBlock(accounts: Map<PeerId, Account>, undo: BlockUndo): [PeerId, Account | null][] {
  const restored: [PeerId, Account | null][] = [];
  for (const { id, account } of undo.before) {
    if (account) accounts.set(id, { ...account });
    else accounts.delete(id);
    restored.push([id, account ? { ...account } : null]);
  }
  return restored;
}
