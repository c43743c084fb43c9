/**
 * The mempool (docs/PROTOCOL.md, "Mempool policy"): signature-verified
 * transactions waiting for a block. Policy, not consensus: two nodes may hold
 * different pools and both be honest.
 *
 * - Per sender, entries are keyed by nonce, from the confirmed nonce up to
 *   `maxTxsPerSender` ahead at admission (a reorg may leave more, see
 *   revalidateSender); gaps are allowed (gossip reorders), but only the
 *   contiguous run from the confirmed nonce can be mined.
 * - Globally, entries rank by fee rate (fee / encoded bytes), ties to the elder.
 * - A sender's pooled transactions must be covered, in nonce order, by its
 *   confirmed balance: incoming pending payments are not counted.
 * - The pool is bounded; the lowest fee rate goes first, with the sender's
 *   later nonces, which could never be mined without it.
 *
 * Pure: time comes from the injected clock or the caller; no timers.
 */
import { InvalidArgumentError } from '../result.ts';
import { TX_BYTES, txId, type Tx } from '../tx.ts';
import type { Clock, PeerId, TxId } from '../types.ts';
import { FeeRateHeap, FeeRateList, compareByFeeRate, type MempoolEntry } from './mempool-order.ts';
import type { ChainParams } from './params.ts';
import { checkTxStateless } from './state.ts';
import type { Account, Block, LedgerReject, LedgerRejectReason, LedgerResult } from './types.ts';

export type { MempoolEntry } from './mempool-order.ts';

/**
 * How far ahead of its confirmed nonce a sender may queue, and so how many
 * transactions one sender can hold in the pool. Bitcoin Core's 25 bounds
 * ancestor packages, which tabmesh does not have; what this bounds is one
 * account's share of the pool and the per-sender walks in this file. 25 was
 * tried and was too small: a tab sending 60 tx/s (the benchmark's 500 tx/s
 * over 8 tabs) is refused as soon as one block is half a second late
 * (docs/PERFORMANCE.md). 200 is ~3 s of that rate; the pool's overall bound
 * (mempoolMaxTxs) and fee-rate eviction still keep one account from crowding
 * out the rest.
 */
export const DEFAULT_MAX_TXS_PER_SENDER = 200;

export interface MempoolInit {
  /**
   * The network's parameters: the stateless transaction rules (minFee, via
   * state.ts checkTxStateless, so the pool never admits what a block may not
   * hold) and the pool's bounds, mempoolMaxTxs and mempoolExpiryMs.
   */
  params: Readonly<ChainParams>;
  clock: Clock;
  /**
   * The parameters the next block is held to (Ledger.nextBlockParams: deployments may
   * raise minFee). Admission checks against them, a tip change drops what they refuse, and
   * selectForBlock skips it, so a template never holds what the next block may not.
   * Default: `params`.
   */
  nextBlockParams?: () => Readonly<ChainParams>;
  /** Overrides params.mempoolMaxTxs (tests, the simulator). */
  maxTxs?: number;
  /** Overrides params.mempoolExpiryMs. */
  expiryMs?: number;
  /** Default DEFAULT_MAX_TXS_PER_SENDER. */
  maxTxsPerSender?: number;
}

/** The confirmed state of an account at the tip; unknown accounts are {balance: 0, nonce: 0}. */
export type AccountLookup = (id: PeerId) => Account;

export interface MempoolAddition {
  /** The same sender and nonce at a lower fee, now gone. */
  replaced?: TxId;
  /** Entries pushed out to make room, or left unaffordable behind the new one. */
  evicted: TxId[];
}

export interface TipChange {
  connected: readonly Block[];
  disconnected: readonly Block[];
}

export interface TipUpdate {
  /** Pooled transactions now confirmed in a connected block. */
  removed: TxId[];
  /** Transactions of disconnected blocks that are back in the pool. */
  readded: TxId[];
  /** Pooled transactions the new state makes invalid (stale nonce, no funds, displaced). */
  dropped: TxId[];
}

export interface Mempool {
  /** Admits a transaction whose signature the caller has verified; `id` must be txId(tx). */
  add(tx: Tx, id: TxId, account: AccountLookup): LedgerResult<MempoolAddition>;
  /**
   * Up to `maxTxs` entries (and `maxBytes` encoded bytes), best fee rate
   * first but only ever each sender's next nonce, so the result applies in
   * order against `account`'s state.
   */
  selectForBlock(maxTxs: number, account: AccountLookup, maxBytes?: number): MempoolEntry[];
  /** Drops entries older than expiryMs at `nowMs` (default: the clock), with their senders' later nonces. */
  expire(nowMs?: number): TxId[];
  /** Follows a tip change; `account` is the state at the new tip. */
  onTip(change: TipChange, account: AccountLookup): TipUpdate;
  has(id: TxId): boolean;
  get(id: TxId): Tx | undefined;
  readonly size: number;
  /** Every entry, best fee rate first. */
  list(): MempoolEntry[];
  /** The nonce a new transaction from `sender` should use: past its confirmed nonce and its contiguous pooled ones. */
  pendingNonce(sender: PeerId, account: AccountLookup): number;
  /** Amount plus fee of all of `sender`'s pooled transactions. */
  pendingSpend(sender: PeerId): number;
}

function assertLimit(value: number, field: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new InvalidArgumentError(`${field} must be an integer of at least ${min}, got ${String(value)}`);
}

function fail(reason: LedgerRejectReason, detail: string): LedgerReject {
  return { ok: false, reason, detail };
}

/** Amount plus fee; checkTxStateless guarantees it is at most 2^53-1, so sums of costs within a balance are exact. */
const cost = (tx: Tx): number => tx.amount + tx.fee;

export function createMempool(init: MempoolInit): Mempool {
  const { params, clock } = init;
  const nextBlockParams = init.nextBlockParams ?? (() => params);
  const maxTxs = init.maxTxs ?? params.mempoolMaxTxs;
  const expiryMs = init.expiryMs ?? params.mempoolExpiryMs;
  const maxTxsPerSender = init.maxTxsPerSender ?? DEFAULT_MAX_TXS_PER_SENDER;
  assertLimit(maxTxs, 'maxTxs', 1);
  assertLimit(expiryMs, 'expiryMs', 1);
  assertLimit(maxTxsPerSender, 'maxTxsPerSender', 1);

  const byId = new Map<TxId, MempoolEntry>();
  const bySender = new Map<PeerId, Map<number, MempoolEntry>>();
  const byFeeRate = new FeeRateList();
  let nextSeq = 0;

  function insert(entry: MempoolEntry): void {
    byId.set(entry.id, entry);
    let chain = bySender.get(entry.tx.from);
    if (!chain) bySender.set(entry.tx.from, (chain = new Map()));
    chain.set(entry.tx.nonce, entry);
    byFeeRate.insert(entry);
  }

  function remove(entry: MempoolEntry): void {
    byId.delete(entry.id);
    const chain = bySender.get(entry.tx.from);
    chain?.delete(entry.tx.nonce);
    if (chain?.size === 0) bySender.delete(entry.tx.from);
    byFeeRate.remove(entry);
  }

  /** A sender's entries in nonce order (at most maxTxsPerSender of them). */
  function chainOf(sender: PeerId): MempoolEntry[] {
    const chain = bySender.get(sender);
    return chain ? [...chain.values()].sort((a, b) => a.tx.nonce - b.tx.nonce) : [];
  }

  /** Removes `entry` and its sender's higher nonces; returns their ids. */
  function removeWithDependants(entry: MempoolEntry): TxId[] {
    const gone = chainOf(entry.tx.from).filter((other) => other.tx.nonce >= entry.tx.nonce);
    for (const other of gone) remove(other);
    return gone.map((other) => other.id);
  }

  /**
   * Drops a sender's entries the account state no longer allows: nonces
   * already used, and, in nonce order, the first entry its balance cannot
   * cover with everything after it.
   *
   * Not the `maxTxsPerSender` window: that is an admission rule. A reorg can
   * lower a sender's confirmed nonce by hundreds; dropping its pooled
   * transactions then (as this once did) made its wallet sign *new*
   * transactions with those nonces, which conflicted with the dropped ones
   * still alive at other peers, and both were lost. The ledger's account()
   * serves the same purpose during a reorg (ledger-types.ts;
   * ledger-reorg.test.ts).
   */
  function revalidateSender(sender: PeerId, account: Account): TxId[] {
    const dropped: TxId[] = [];
    let remaining = account.balance;
    let cut = false;
    for (const entry of chainOf(sender)) {
      const { nonce } = entry.tx;
      const stale = nonce < account.nonce;
      if (!stale && !cut && cost(entry.tx) > remaining) cut = true;
      if (stale || cut) {
        remove(entry);
        dropped.push(entry.id);
      } else {
        remaining -= cost(entry.tx);
      }
    }
    return dropped;
  }

  /**
   * The entries to evict so `entry` fits, or undefined when it cannot: when
   * it ranks last itself, or depends on (has a higher nonce than) the entry
   * that would go. Plans without mutating, so a refusal leaves the pool as it was.
   */
  function planEviction(entry: MempoolEntry, replaced: MempoolEntry | undefined): MempoolEntry[] | undefined {
    let count = byId.size + 1 - (replaced ? 1 : 0);
    const victims = new Set<MempoolEntry>();
    for (let i = byFeeRate.length - 1; i >= 0 && count > maxTxs; i--) {
      const victim = byFeeRate.at(i)!;
      if (victim === replaced || victims.has(victim)) continue;
      if (compareByFeeRate(entry, victim) >= 0) return undefined;
      if (victim.tx.from === entry.tx.from && victim.tx.nonce < entry.tx.nonce) return undefined;
      for (const other of chainOf(victim.tx.from)) {
        if (other.tx.nonce < victim.tx.nonce || other === replaced || victims.has(other)) continue;
        victims.add(other);
        count--;
      }
    }
    return [...victims];
  }

  /** Admits a transaction; `returning` (from a disconnected block) is exempt from the per-sender window, see revalidateSender. */
  function add(tx: Tx, id: TxId, account: AccountLookup, returning = false): LedgerResult<MempoolAddition> {
    if (byId.has(id)) return fail('duplicate', `transaction ${id} is already in the mempool`);
    // The consensus rules that need no state (well-formed fields, amount, fee ≥ minFee, no self-transfer).
    const stateless = checkTxStateless(tx, nextBlockParams());
    if (!stateless.ok) return stateless;
    const sender = account(tx.from);
    if (tx.nonce < sender.nonce) return fail('bad-nonce', `nonce ${tx.nonce} is already used; the sender's next nonce is ${sender.nonce}`);
    if (!returning && tx.nonce >= sender.nonce + maxTxsPerSender) {
      return fail('nonce-too-high', `nonce ${tx.nonce} is more than ${maxTxsPerSender - 1} ahead of the sender's next nonce ${sender.nonce}`);
    }
    const existing = bySender.get(tx.from)?.get(tx.nonce);
    if (existing && tx.fee <= existing.tx.fee) {
      return fail('replacement-fee-too-low', `replacing ${existing.id} needs a fee above ${existing.tx.fee}, got ${tx.fee}`);
    }
    let committed = 0;
    for (const other of chainOf(tx.from)) {
      if (other.tx.nonce >= sender.nonce && other.tx.nonce < tx.nonce) committed += cost(other.tx);
    }
    if (cost(tx) > sender.balance - committed) {
      return fail('insufficient-funds', `balance ${sender.balance} minus ${committed} pending does not cover ${tx.amount} + fee ${tx.fee}`);
    }

    const sizeBytes = TX_BYTES; // every transaction encodes to the same size
    const entry: MempoolEntry = { id, tx, sizeBytes, feeRate: tx.fee / sizeBytes, addedMs: clock.nowMs(), seq: nextSeq++ };
    const victims = planEviction(entry, existing);
    if (!victims) return fail('mempool-full', `mempool holds ${maxTxs} transactions and this one's fee rate ${entry.feeRate.toFixed(3)}/byte ranks last`);

    if (existing) remove(existing);
    for (const victim of victims) remove(victim);
    insert(entry);
    // A replacement or a filled gap can leave later nonces unaffordable.
    const evicted = [...victims.map((victim) => victim.id), ...revalidateSender(tx.from, sender)];
    return { ok: true, value: existing ? { replaced: existing.id, evicted } : { evicted } };
  }

  function selectForBlock(maxTxs: number, account: AccountLookup, maxBytes = Number.POSITIVE_INFINITY): MempoolEntry[] {
    const heads = new FeeRateHeap();
    const cursors = new Map<PeerId, { next: number; remaining: number }>();
    const { minFee } = nextBlockParams();
    // A sender whose next transaction pays less than the block's minimum waits (onTip drops it): its later nonces need it.
    const minable = (entry: MempoolEntry | undefined): entry is MempoolEntry => entry !== undefined && entry.tx.fee >= minFee;
    for (const [sender, chain] of bySender) {
      const { nonce, balance } = account(sender);
      const head = chain.get(nonce);
      if (!minable(head) || cost(head.tx) > balance) continue;
      cursors.set(sender, { next: nonce, remaining: balance });
      heads.push(head);
    }
    const picked: MempoolEntry[] = [];
    let bytes = 0;
    for (let entry = heads.pop(); entry && picked.length < maxTxs; entry = heads.pop()) {
      // Too big for what is left: skip the sender, whose later nonces would need this one.
      if (bytes + entry.sizeBytes > maxBytes) continue;
      const cursor = cursors.get(entry.tx.from)!;
      picked.push(entry);
      bytes += entry.sizeBytes;
      cursor.remaining -= cost(entry.tx);
      cursor.next++;
      const next = bySender.get(entry.tx.from)!.get(cursor.next);
      if (minable(next) && cost(next.tx) <= cursor.remaining) heads.push(next);
    }
    return picked;
  }

  function expire(nowMs = clock.nowMs()): TxId[] {
    const dropped: TxId[] = [];
    for (const entry of [...byId.values()]) {
      if (byId.has(entry.id) && nowMs - entry.addedMs > expiryMs) dropped.push(...removeWithDependants(entry));
    }
    return dropped;
  }

  function onTip(change: TipChange, account: AccountLookup): TipUpdate {
    const before = new Set(byId.keys());
    const confirmed = new Set<TxId>();
    const removed: TxId[] = [];
    for (const block of change.connected) {
      for (const tx of block.txs) {
        const id = txId(tx);
        confirmed.add(id);
        const entry = byId.get(id);
        if (entry) {
          remove(entry);
          removed.push(id);
        }
      }
    }
    // A deployment that became ACTIVE may raise the minimum fee: what pays less can never be mined now.
    const { minFee } = nextBlockParams();
    if (minFee > params.minFee) for (const entry of [...byId.values()]) if (byId.has(entry.id) && entry.tx.fee < minFee) removeWithDependants(entry);
    // Revalidate first, so re-added transactions are checked against a pool
    // that already agrees with the new state.
    for (const sender of [...bySender.keys()]) revalidateSender(sender, account(sender));
    // Oldest block first and block order within it, so each sender's nonces arrive in order.
    const returning = [...change.disconnected].sort((a, b) => a.header.height - b.header.height);
    const readded: TxId[] = [];
    for (const block of returning) {
      for (const tx of block.txs) {
        const id = txId(tx);
        if (confirmed.has(id) || byId.has(id)) continue;
        if (add(tx, id, account, true).ok) readded.push(id);
      }
    }
    return {
      removed,
      readded: readded.filter((id) => byId.has(id)),
      dropped: [...before].filter((id) => !byId.has(id) && !confirmed.has(id)),
    };
  }

  return {
    add: (tx, id, account) => add(tx, id, account),
    selectForBlock,
    expire,
    onTip,
    has: (id) => byId.has(id),
    get: (id) => byId.get(id)?.tx,
    get size() {
      return byId.size;
    },
    list: () => byFeeRate.toArray(),
    pendingNonce(sender, account) {
      let nonce = account(sender).nonce;
      const chain = bySender.get(sender);
      while (chain?.has(nonce)) nonce++;
      return nonce;
    },
    pendingSpend(sender) {
      let total = 0;
      for (const entry of bySender.get(sender)?.values() ?? []) total += cost(entry.tx);
      return total;
    },
  };
}
