/**
 * The full node's RPC: what the server asks of the node (RpcTarget), the
 * limits on requests, and how a failure becomes a status code. Shared by
 * rpc-server.ts, rpc-routes.ts and rpc-client.ts.
 *
 *   GET  /status              -> RpcTarget.status()
 *   GET  /peers               -> {peers}
 *   GET  /deployments         -> {deployments}      (as window.tabmesh.deployments(): docs/PROTOCOL.md, "Deployments")
 *   GET  /tx/:id              -> findTx(id); 404 when its status is 'unknown'
 *   GET  /balance/:account    -> {account, balance}   (account: a tm1 address or 64-hex id; the answer's is hex)
 *   POST /send {to, amount, fee?} -> {id}           (to: likewise)
 *   POST /mine {blocks}       -> {hashes}
 *
 * Every request carries `Authorization: Bearer <token>` (rpc-cookie.ts).
 * Every error is JSON `{error: "<one sentence>"}`, plus `reason` when the
 * ledger named its rule.
 */

/** What the RPC server calls; the peer assembly implements it. */
export interface RpcTarget {
  status(): { id: string; network: string; tip: { height: number; hash: string }; peers: number; mempool: number };
  peers(): unknown[];
  /** Each consensus deployment this build knows, for the next block: state, bit, schedule, the current window's signals. */
  deployments(): unknown[];
  /** A transaction's record; an object with `status: 'unknown'` becomes a 404. */
  findTx(id: string): Promise<unknown>;
  balance(account: string): number;
  /**
   * Signs and submits a transfer; resolves to its id. Rejects with a user
   * error (see isRpcUserError) whose message is shown to the caller, such as
   * insufficient funds.
   */
  send(to: string, amount: number, fee?: number): Promise<string>;
  mine(blocks: number): Promise<string[]>;
}

/**
 * Largest request body. A send or mine body is under 200 bytes; 64 KiB is
 * generous for any later call while keeping what an unauthenticated
 * client can make the node buffer small (the body is read only after the
 * token is checked, but the limit holds either way).
 */
export const MAX_BODY_BYTES = 64 * 1024;
/**
 * Most blocks one POST /mine may ask for. Scripts mine a handful at a time
 * (to confirm a send, or to fund an account); 100 blocks at the main
 * network's 10 s target is a quarter of an hour in which the request holds
 * its connection, and more is better asked for in several calls.
 */
export const MAX_MINE_BLOCKS = 100;

/**
 * A failure caused by the request, whose message is for the user: the
 * server answers 400 with it. Throw it from an RpcTarget method.
 */
export class RpcUserError extends Error {
  override readonly name = 'RpcUserError';
  constructor(
    message: string,
    /** A named rule, e.g. 'insufficient-funds', passed on as `reason`. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/**
 * Errors by name that are the caller's fault rather than the node's:
 *   RpcUserError          thrown by an RpcTarget on purpose;
 *   TxRejectedError       the wallet's refusal, carrying the ledger's rule
 *                         (src/peer/wallet.ts: insufficient funds, fee too low);
 *   InvalidArgumentError  a titled assert at a core API edge (src/core/result.ts)
 *                         naming the field the request got wrong.
 * Matched by name, not instanceof, so the list does not tie the server to
 * where those classes live (the wallet has already moved once), and an error
 * from another copy of a module still counts.
 *
 * Everything else (I/O errors, TypeErrors, LevelDB failures) is the node's
 * fault: a 500 with a generic message, and the details go to the node's log,
 * not to the client.
 */
const USER_ERROR_NAMES = new Set(['RpcUserError', 'TxRejectedError', 'InvalidArgumentError']);

/** True for an error to show the caller as a 400 (see USER_ERROR_NAMES). */
export function isRpcUserError(error: unknown): error is Error & { reason?: unknown } {
  return error instanceof Error && USER_ERROR_NAMES.has(error.name);
}

/** Account ids and transaction ids on the wire: 64 lower-case hex characters. */
export const HEX_ID = /^[0-9a-f]{64}$/;
