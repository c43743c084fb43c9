/**
 * Blocks for the storage tests: real signed transactions (deterministic test
 * keys), headers linked by the core's blockHash, real Merkle roots.
 * Storage does not check proof-of-work, so headers do not carry any.
 */
import { testSigner } from './test-keys.ts';
import { ZERO_HASH, blockHash, merkleRoot } from '../../src/core/ledger/block.ts';
import type { Account, Block, BlockUndo, TipRecord } from '../../src/core/ledger/types.ts';
import { signTx, txId, type Tx } from '../../src/core/tx.ts';
import type { PeerId } from '../../src/core/types.ts';

const NETWORK = 'test-storage';

export interface Parties {
  alice: PeerId;
  bob: PeerId;
  carol: PeerId;
  /** `count` transfers from alice to bob with nonces start, start+1, ... */
  payments(start: number, count: number, amount?: number): Promise<Tx[]>;
}

/** Three deterministic accounts; alice can sign. */
export async function parties(): Promise<Parties> {
  const [alice, bob, carol] = await Promise.all([testSigner(1), testSigner(2), testSigner(3)]);
  return {
    alice: alice.peerId,
    bob: bob.peerId,
    carol: carol.peerId,
    payments: (start, count, amount = 10) =>
      Promise.all(Array.from({ length: count }, (_, i) => signTx(NETWORK, { from: alice.peerId, to: bob.peerId, amount, fee: 1, nonce: start + i }, alice))),
  };
}

/** A block on `parent` (undefined: a genesis block); `salt` makes siblings differ. */
export function makeBlock(parent: Block | undefined, txs: Tx[], miner: PeerId, salt = 0): Block {
  const height = parent ? parent.header.height + 1 : 0;
  const header = {
    version: 1,
    prevHash: parent ? blockHash(parent.header) : ZERO_HASH,
    height,
    timeMs: 1_700_000_000_000 + height * 10_000 + salt,
    target: 'ff'.repeat(32),
    merkleRoot: merkleRoot(txs.map((tx) => txId(tx))),
    nonce: salt,
    miner,
  };
  return { header, txs };
}

/** A stand-in state digest for the state at the block `hash` (storage stores it opaquely). */
function stateHashAt(hash: string): string {
  return hash.split('').reverse().join('');
}

/** The tip record for `block`. */
export function tipOf(block: Block): TipRecord {
  return { hash: blockHash(block.header), height: block.header.height, chainWork: String(block.header.height + 1), stateHash: stateHashAt(blockHash(block.header)) };
}

/** Undo data that restores nothing, for commits that tests expect to be refused. */
export function emptyUndo(block: Block): BlockUndo {
  return { hash: blockHash(block.header), before: [], prevStateHash: '' };
}

/**
 * What the ledger would pass to commitConnect to move `state` to `after`:
 * the changed accounts (after) and undo data (before).
 */
export function connectCommit(block: Block, state: Map<PeerId, Account>, after: [PeerId, Account][]) {
  const prevStateHash = block.header.height === 0 ? '' : stateHashAt(block.header.prevHash);
  const undo: BlockUndo = { hash: blockHash(block.header), before: after.map(([id]) => ({ id, account: state.get(id) ?? null })), prevStateHash };
  return { block, undo, accounts: after, tip: tipOf(block) };
}

/** The commitDisconnect that reverses `undo`, back to `parent`. */
export function disconnectCommit(undo: BlockUndo, parent: Block) {
  return { hash: undo.hash, accounts: undo.before.map(({ id, account }): [PeerId, Account | null] => [id, account]), tip: tipOf(parent) };
}

/** Applies account changes to a model state (null deletes), as the ledger would. */
export function applyAccounts(state: Map<PeerId, Account>, changes: [PeerId, Account | null][]): Map<PeerId, Account> {
  const next = new Map(state);
  for (const [id, account] of changes) {
    if (account) next.set(id, { ...account });
    else next.delete(id);
  }
  return next;
}

/** A state as loadState orders it: by PeerId. */
export function sortedAccounts(state: Map<PeerId, Account>): [PeerId, Account][] {
  return [...state].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
