/**
 * A client for the full node's RPC (rpc-api.ts lists the calls). It finds
 * the node through DIR/.cookie (rpc-cookie.ts: port and token) and turns
 * each failure into an error a CLI can print as one line.
 */
import type { RpcTarget } from './rpc-api.ts';
import { cookiePathFor, readCookie, type RpcCookie } from './rpc-cookie.ts';

/** The node answered with an error status; `message` is its `error` text. */
export class RpcCallError extends Error {
  override readonly name = 'RpcCallError';
  constructor(
    readonly status: number,
    message: string,
    /** The ledger's named rule, when the node gave one. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** No node to talk to: no cookie, or nothing listening at its port. */
export class NodeNotRunningError extends Error {
  override readonly name = 'NodeNotRunningError';
}

/** One method per RPC call; results are the node's JSON, unchecked beyond being JSON. */
export interface RpcClient {
  status(): Promise<ReturnType<RpcTarget['status']>>;
  peers(): Promise<{ peers: unknown[] }>;
  deployments(): Promise<{ deployments: unknown[] }>;
  tx(id: string): Promise<unknown>;
  balance(account: string): Promise<{ account: string; balance: number }>;
  send(to: string, amount: number, fee?: number): Promise<{ id: string }>;
  mine(blocks: number): Promise<{ hashes: string[] }>;
}

function connectionCode(error: unknown): string | undefined {
  // fetch wraps socket errors: TypeError('fetch failed', {cause: {code: 'ECONNREFUSED'}}).
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A client for the server described by `cookie` (port and token). */
export function createRpcClient(cookie: Pick<RpcCookie, 'port' | 'token'>): RpcClient {
  const base = `http://127.0.0.1:${cookie.port}`;

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${cookie.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const code = connectionCode(error);
      if (code === 'ECONNREFUSED') {
        throw new NodeNotRunningError(`no node is listening at ${base} (connection refused); the cookie may be left from a node that stopped`, { cause: error });
      }
      throw new NodeNotRunningError(`cannot reach the node at ${base}: ${code ?? String(error)}`, { cause: error });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      throw new RpcCallError(response.status, `the node sent a reply that is not JSON (HTTP ${response.status})`);
    }
    if (!response.ok) {
      const { error, reason } = (typeof json === 'object' && json !== null ? json : {}) as { error?: unknown; reason?: unknown };
      throw new RpcCallError(response.status, typeof error === 'string' ? error : `HTTP ${response.status}`, typeof reason === 'string' ? reason : undefined);
    }
    return json as T;
  }

  return {
    status: () => call('GET', '/status'),
    peers: () => call('GET', '/peers'),
    deployments: () => call('GET', '/deployments'),
    tx: (id) => call('GET', `/tx/${encodeURIComponent(id)}`),
    balance: (account) => call('GET', `/balance/${encodeURIComponent(account)}`),
    send: (to, amount, fee) => call('POST', '/send', fee === undefined ? { to, amount } : { to, amount, fee }),
    mine: (blocks) => call('POST', '/mine', { blocks }),
  };
}

/**
 * A client for the node using `dataDir`, from its DIR/.cookie; `port`
 * overrides the cookie's port. Throws NodeNotRunningError when there is no
 * cookie, and a plain Error naming the file when it is damaged.
 */
export async function connectRpc(dataDir: string, init: { port?: number } = {}): Promise<RpcClient> {
  const read = await readCookie(cookiePathFor(dataDir));
  if (!read.ok) throw read.missing ? new NodeNotRunningError(read.error) : new Error(read.error);
  return createRpcClient({ port: init.port ?? read.cookie.port, token: read.cookie.token });
}
