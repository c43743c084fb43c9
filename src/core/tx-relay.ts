/**
 * Transaction gossip: a transaction a peer sent because we asked for it
 * (inventory.ts), or pushed because it signed it, is verified (in the worker
 * pool), admitted to the mempool under the ledger's rules, and announced to
 * every peer that lacks it. The transactions this node signed are pushed whole. A bad signature is misbehaviour; a transaction the ledger
 * refuses (stale nonce, no funds) is dropped with its reason, because honest
 * peers send those during races and reorgs.
 */
import { BoundedSet } from './bounded-set.ts';
import { shortTxId } from './frames.ts';
import type { Ledger } from './ledger/ledger.ts';
import type { Mempool, MempoolAddition } from './ledger/mempool.ts';
import type { LedgerResult } from './ledger/types.ts';
import type { Inventory } from './inventory.ts';
import type { ProtocolContext } from './protocol-context.ts';
import { txId, txVerifyItem, type Tx } from './tx.ts';
import type { PeerId, TxId, Verifier } from './types.ts';

export type TxSource = PeerId | 'self';

/** Refusals that a later block can cure: the sender's funds or earlier nonce are still on their way. */
const WAIT_FOR_STATE: ReadonlySet<string> = new Set(['insufficient-funds', 'nonce-too-high']);
/** Held this long for a block to make them valid (Bitcoin keeps orphan transactions 20 minutes). */
const WAIT_MS = 10 * 60_000;
/** Bounded like Bitcoin's orphan pool (100): a peer cannot fill memory with unfunded transactions. */
const MAX_WAITING = 200;

export interface TxRelayInit {
  network: string;
  verifier: Verifier;
  ledger: Ledger;
  mempool: Mempool;
  inventory: Inventory;
  /** This node's peer id: the transactions it signed itself are the ones it may push (PROTOCOL.md, "Inventory"). */
  selfId: PeerId;
  /** Seen-cache bound: 100k ids is ~7 MB of strings, hours of traffic at 10 tx/s. */
  maxKnownTxs?: number;
  onAccepted(tx: Tx, id: TxId, source: TxSource): void;
  /** Transactions an admission pushed out of the mempool (replaced or evicted). */
  onDropped(ids: TxId[]): void;
}

export function createTxRelay(context: ProtocolContext, init: TxRelayInit) {
  const { ledger, mempool, inventory } = init;
  /** Every tx id accepted, in flight, or sent: each is relayed at most once. */
  const knownTxs = new BoundedSet<TxId>(init.maxKnownTxs ?? 100_000);
  /** Verified transactions the tip cannot pay for yet; retried whenever the tip changes. */
  const waiting = new Map<TxId, { tx: Tx; source: TxSource; untilMs: number }>();
  /** The tail of the arrival-ordered admission chain (handleTx). */
  let admissions: Promise<void> = Promise.resolve();
  /** Short ids of the bodies between arrival and admission (being verified), with how many: a compact block waits for these. */
  const verifying = new Map<string, number>();
  const startVerifying = (id: TxId): string => {
    const key = shortTxId(id);
    verifying.set(key, (verifying.get(key) ?? 0) + 1);
    return key;
  };
  const doneVerifying = (key: string): void => {
    const left = (verifying.get(key) ?? 1) - 1;
    if (left > 0) verifying.set(key, left);
    else verifying.delete(key);
  };

  function settleVerified(source: PeerId, tx: Tx, id: TxId, valid: boolean): void {
    if (!valid) {
      knownTxs.delete(id);
      context.count('invalidDropped');
      context.punish(source, `transaction ${id.slice(0, 12)} has an invalid signature`);
      return;
    }
    const admitted = admit(tx, id, source);
    if (admitted.ok) {
      context.count('txAccepted');
    } else if (WAIT_FOR_STATE.has(admitted.reason)) {
      // It may become valid once a block we have not connected yet arrives (its funds, its earlier nonce).
      context.count('txWaiting');
      waiting.set(id, { tx, source, untilMs: context.clock.nowMs() + WAIT_MS });
      if (waiting.size > MAX_WAITING) forgetWaiting(waiting.keys().next().value!);
    } else {
      // Forget it, so the same transaction can be reconsidered once the state changes (a reorg).
      knownTxs.delete(id);
      context.count('txRejected');
      context.log.info('transaction refused by ledger rules', { id, reason: admitted.reason, detail: admitted.detail });
    }
  }

  /** Drops a waiting transaction and forgets its id, so a later announcement fetches it again. */
  function forgetWaiting(id: TxId): void {
    waiting.delete(id);
    knownTxs.delete(id);
  }

  /** What an admission pushed out (a lower fee for the same nonce, or the pool's lowest fee rate) is gone too. */
  function reportPushedOut(addition: MempoolAddition): void {
    const gone = addition.replaced === undefined ? addition.evicted : [addition.replaced, ...addition.evicted];
    if (gone.length > 0) init.onDropped(gone);
  }

  function admit(tx: Tx, id: TxId, source: TxSource): LedgerResult<unknown> {
    const added = mempool.add(tx, id, ledger.account);
    if (!added.ok) return added;
    init.onAccepted(tx, id, source);
    reportPushedOut(added.value);
    context.count('txRelayed');
    // A transaction this node signed goes to every peer whole; any other is announced, and fetched by those who lack it.
    // (A tab may also submit a transaction signed elsewhere, as a double-spend demo does: its peers would ban a push of it.)
    if (source === 'self' && tx.from === init.selfId) inventory.pushTx(id, (peerId) => context.send(peerId, { type: 'tx', tx }));
    else inventory.announce('tx', id, source, tx.from);
    return added;
  }

  /**
   * Verifies a transaction this tab signed, without waiting for the answer.
   * The block that carries it is verified through the same pool, and the
   * pool's cache then already holds the answer: unchecked, a block this tab
   * mined waited for its own transactions' signatures behind the gossip in
   * the pool's queue, 85-345 ms at 350 tx/s (docs/PERFORMANCE.md, "Saturation"). A
   * signature that does not verify is this tab's bug (signing is local);
   * it is logged, and a block carrying it is refused by the ledger.
   */
  function checkOwnSignature(tx: Tx, id: TxId): void {
    init.verifier.verify([txVerifyItem(init.network, tx)]).then(
      ([valid]) => {
        if (valid !== true) context.log.warn('a transaction this tab signed does not verify', { id });
      },
      (error: unknown) => context.log.warn('could not verify a transaction this tab signed', { id, error: String(error) }),
    );
  }

  return {
    /**
     * A body arrived. It is checked for being wanted at once, verified in the
     * worker pool without holding up the link's later frames (the pool batches
     * the bodies of a burst into one request), and admitted in arrival order,
     * so one sender's consecutive nonces still enter the mempool in order.
     */
    handleTx(source: PeerId, tx: Tx): void {
      const id = txId(tx);
      context.count('txBodiesReceived');
      const requested = inventory.delivered(source, 'tx', id);
      if (knownTxs.has(id) || mempool.has(id)) {
        context.count('duplicatesDropped');
        // A push that lost the race to a fetch from another peer: its link's frames were queued behind others.
        if (!requested && tx.from === source) context.count('txPushesLate');
        return;
      }
      if (!requested) {
        // A peer may push a transaction it signed itself (its first hop); any other body nobody asked for is misbehaviour.
        if (tx.from !== source) return context.punish(source, `sent transaction ${id.slice(0, 12)} that nobody asked for`);
        inventory.acceptPushed(source, id);
        context.count('txPushesReceived');
      }
      knownTxs.add(id);
      const key = startVerifying(id);
      const verdict = init.verifier.verify([txVerifyItem(init.network, tx)]);
      admissions = admissions
        .then(() => verdict)
        .then(
          ([valid]) => {
            doneVerifying(key);
            settleVerified(source, tx, id, valid === true);
          },
          (error: unknown) => {
            doneVerifying(key);
            // The pool failed (a worker crashed), not the peer: forget the id so a later announcement fetches it again.
            knownTxs.delete(id);
            context.log.warn('could not verify a transaction', { id, error: String(error) });
          },
        );
    },

    /**
     * A transaction this tab signed: admitted under the same rules, or the
     * reason it is not. Its signature is then checked in the background
     * (checkOwnSignature), off the send's path.
     */
    submitLocal(tx: Tx): LedgerResult<TxId> {
      const id = txId(tx);
      const admitted = admit(tx, id, 'self');
      if (!admitted.ok) return admitted;
      knownTxs.add(id);
      context.count('txSent');
      checkOwnSignature(tx, id);
      return { ok: true, value: id };
    },

    /** The tip changed: admit the waiting transactions it now pays for; drop expired or stale ones. */
    retryWaiting(): void {
      const now = context.clock.nowMs();
      for (const [id, entry] of waiting) {
        if (entry.untilMs < now) {
          forgetWaiting(id);
          continue;
        }
        const admitted = admit(entry.tx, id, entry.source);
        if (admitted.ok) {
          waiting.delete(id);
          context.count('txAccepted');
        } else if (!WAIT_FOR_STATE.has(admitted.reason)) {
          forgetWaiting(id);
        }
      }
    },

    /** Marks ids loaded from storage as known, so a reloaded tab does not relay them again. */
    remember(ids: Iterable<TxId>): void {
      for (const id of ids) knownTxs.add(id);
    },

    /**
     * A reloaded tab's pending transactions (from storage) go back into the mempool, each sender's in
     * nonce order, without a 'tx' event or an announcement: a peer that links later is sent the whole
     * mempool. Without this the wallet numbered its next send with the nonce of its own transaction
     * still pending at its peers, and the two conflicted. Returns the ids the ledger now refuses for
     * good (the nonce was used meanwhile, or its signature does not verify: storage is not trusted
     * either), for the caller to mark dropped; one that waits for funds or an earlier nonce is left
     * unknown, so an announcement can bring it again.
     */
    async restore(entries: readonly { tx: Tx; id: TxId }[]): Promise<TxId[]> {
      const refused: TxId[] = [];
      const verdicts = await init.verifier.verify(entries.map(({ tx }) => txVerifyItem(init.network, tx)));
      const valid = entries.filter(({ id }, i) => {
        if (verdicts[i] === true) return true;
        context.log.warn('a stored pending transaction has an invalid signature and was dropped', { id });
        refused.push(id);
        return false;
      });
      const ordered = valid.sort((a, b) => (a.tx.from < b.tx.from ? -1 : a.tx.from > b.tx.from ? 1 : a.tx.nonce - b.tx.nonce));
      for (const { tx, id } of ordered) {
        if (mempool.has(id)) continue;
        const added = mempool.add(tx, id, ledger.account);
        if (added.ok) {
          knownTxs.add(id);
          reportPushedOut(added.value);
        } else if (!WAIT_FOR_STATE.has(added.reason)) {
          refused.push(id);
        }
      }
      return refused;
    },

    /** Verified transactions waiting for their sender's earlier nonce or funds (a block may carry them). */
    *held(): Iterable<{ id: TxId; tx: Tx }> {
      for (const [id, { tx }] of waiting) yield { id, tx };
    },

    /** Is a transaction with this short id between arrival and admission? */
    isVerifying: (shortId: string): boolean => verifying.has(shortId),

    knows(id: TxId): boolean {
      return knownTxs.has(id) || mempool.has(id);
    },

    /** Answers GETDATA for a transaction from the mempool. */
    provide(id: TxId, peerId: PeerId): boolean {
      const tx = mempool.get(id);
      return tx !== undefined && context.send(peerId, { type: 'tx', tx });
    },
  };
}
