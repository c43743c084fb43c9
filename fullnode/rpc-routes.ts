/**
 * The RPC's routes, apart from HTTP: a request (method, path, a way to read
 * its body) becomes a status and a JSON body. rpc-server.ts does the HTTP,
 * the token and the body limit; this file decides what each call means.
 */
import type { Logger } from '../src/core/types.ts';
import { isRpcUserError, type RpcTarget } from './rpc-api.ts';
import { checkAccount, checkHexId, checkMineBody, checkSendBody } from './rpc-fields.ts';

export interface RpcResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A body read by the server: parsed JSON, or the status and reason to refuse it with. */
export type BodyRead = { ok: true; value: unknown } | { ok: false; status: 400 | 413; error: string };

export interface RpcRequest {
  method: string;
  /** The URL's path, without the query. */
  path: string;
  /** Reads and parses the body; only POST routes call it. */
  readBody(): Promise<BodyRead>;
}

type Handler = (target: RpcTarget, params: string[], request: RpcRequest) => Promise<RpcResponse>;

interface Route {
  method: 'GET' | 'POST';
  /** Path segments; ':' marks a parameter. */
  segments: string[];
  handler: Handler;
}

const ok = (body: unknown): RpcResponse => ({ status: 200, body });
export const errorResponse = (status: number, error: string, extra: Record<string, unknown> = {}): RpcResponse => ({ status, body: { error, ...extra } });

function isUnknownTx(record: unknown): boolean {
  return typeof record === 'object' && record !== null && (record as { status?: unknown }).status === 'unknown';
}

const ROUTES: Route[] = [
  { method: 'GET', segments: ['status'], handler: async (target) => ok(target.status()) },
  { method: 'GET', segments: ['peers'], handler: async (target) => ok({ peers: target.peers() }) },
  { method: 'GET', segments: ['deployments'], handler: async (target) => ok({ deployments: target.deployments() }) },
  {
    method: 'GET',
    segments: ['tx', ':id'],
    handler: async (target, [id]) => {
      const bad = checkHexId('transaction id', id);
      if (bad) return errorResponse(400, bad);
      const record = await target.findTx(id!);
      return isUnknownTx(record) ? errorResponse(404, `transaction ${id} is unknown to this node`, { status: 'unknown' }) : ok(record);
    },
  },
  {
    method: 'GET',
    segments: ['balance', ':account'],
    handler: async (target, [account]) => {
      const parsed = checkAccount('account', account);
      return parsed.ok ? ok({ account: parsed.value, balance: target.balance(parsed.value) }) : errorResponse(400, parsed.error);
    },
  },
  {
    method: 'POST',
    segments: ['send'],
    handler: async (target, _params, request) => {
      const body = await request.readBody();
      if (!body.ok) return errorResponse(body.status, body.error);
      const send = checkSendBody(body.value);
      if (!send.ok) return errorResponse(400, send.error);
      return ok({ id: await target.send(send.value.to, send.value.amount, send.value.fee) });
    },
  },
  {
    method: 'POST',
    segments: ['mine'],
    handler: async (target, _params, request) => {
      const body = await request.readBody();
      if (!body.ok) return errorResponse(body.status, body.error);
      const mine = checkMineBody(body.value);
      if (!mine.ok) return errorResponse(400, mine.error);
      return ok({ hashes: await target.mine(mine.value.blocks) });
    },
  },
];

/** The route's parameters when `parts` fits its segments, else undefined. */
function match(route: Route, parts: string[]): string[] | undefined {
  if (parts.length !== route.segments.length) return undefined;
  const params: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i]!;
    if (segment.startsWith(':')) params.push(parts[i]!);
    else if (segment !== parts[i]) return undefined;
  }
  return params;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Makes the router. Unknown path: 404; known path, other method: 405 with
 * Allow. A target failure is a 400 with its message when isRpcUserError
 * says it is the caller's (rpc-api.ts), else a 500 whose details are logged,
 * not sent.
 */
export function createRpcRouter(components: { target: RpcTarget; log: Logger }): (request: RpcRequest) => Promise<RpcResponse> {
  const { target, log } = components;
  return async (request) => {
    const parts = request.path.split('/').slice(1);
    const matches = ROUTES.map((route) => ({ route, params: match(route, parts) })).filter((found) => found.params !== undefined);
    if (matches.length === 0) return errorResponse(404, `no such call: ${request.method} ${request.path}`);
    const found = matches.find(({ route }) => route.method === request.method);
    if (!found) {
      const allow = [...new Set(matches.map(({ route }) => route.method))].join(', ');
      return { ...errorResponse(405, `${request.path} takes ${allow}, not ${request.method}`), headers: { Allow: allow } };
    }
    try {
      return await found.route.handler(target, found.params!, request);
    } catch (error) {
      if (isRpcUserError(error)) return errorResponse(400, error.message, typeof error.reason === 'string' ? { reason: error.reason } : {});
      log.warn('rpc: internal error', { call: `${request.method} ${request.path}`, error: describe(error) });
      return errorResponse(500, 'internal error; the node logged the details');
    }
  };
}
