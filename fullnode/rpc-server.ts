/**
 * The full node's RPC server: HTTP/JSON on 127.0.0.1 only, every request
 * authorised by the token in DIR/.cookie (rpc-cookie.ts). Routes and their
 * rules are in rpc-routes.ts; the interface the node implements is
 * RpcTarget (rpc-api.ts). Same shape as signaling's createRelayServer:
 * {ready, address(), close()}.
 *
 * Order of checks on a request: token (401), route (404/405), body size
 * (413), JSON (400), fields (400); so nothing about the routes or the node
 * is answered to a client without the token, and no body is read from one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { Logger } from '../src/core/types.ts';
import { MAX_BODY_BYTES, type RpcTarget } from './rpc-api.ts';
import { createToken, removeCookie, writeCookie } from './rpc-cookie.ts';
import { createRpcRouter, errorResponse, type BodyRead, type RpcResponse } from './rpc-routes.ts';

export { isRpcUserError, MAX_BODY_BYTES, MAX_MINE_BLOCKS, RpcUserError, type RpcTarget } from './rpc-api.ts';

export interface RpcServerComponents {
  target: RpcTarget;
  log: Logger;
}

export interface RpcServerInit {
  /** 0: the OS picks a free port (the cookie records it). */
  port: number;
  /** Loopback only: the RPC can spend the node's funds. */
  host?: '127.0.0.1';
  /** Where to write the cookie, normally DIR/.cookie. */
  cookiePath: string;
}

export interface RpcServer {
  /** Resolves once listening with the cookie written; rejects if either fails. */
  readonly ready: Promise<void>;
  address(): { port: number };
  /** Stops listening, drops open connections, deletes the cookie. Idempotent. */
  close(): Promise<void>;
}

/**
 * A slow client may take this long to send its request (headers and body).
 * A local script sends a few hundred bytes at once; the limit bounds how
 * long a stuck one holds a socket. Responses (POST /mine) may take longer.
 */
const REQUEST_TIMEOUT_MS = 10_000;

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Compares the presented token with ours in constant time. Hashing both
 * first gives timingSafeEqual equal lengths, so not even the length of a
 * wrong guess shows in the timing.
 */
function tokenMatches(header: string | undefined, expected: Buffer): 'ok' | 'missing' | 'wrong' {
  const match = header === undefined ? null : /^Bearer ([^\s]+)$/i.exec(header);
  if (!match) return 'missing';
  return timingSafeEqual(digest(match[1]!), expected) ? 'ok' : 'wrong';
}

/** Reads the body up to MAX_BODY_BYTES and parses it as JSON. */
function readJsonBody(request: http.IncomingMessage): Promise<BodyRead> {
  const declared = Number(request.headers['content-length']);
  if (declared > MAX_BODY_BYTES) return Promise.resolve({ ok: false, status: 413, error: `body is ${declared} bytes, limit ${MAX_BODY_BYTES}` });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.off('data', onData);
        resolve({ ok: false, status: 413, error: `body is larger than ${MAX_BODY_BYTES} bytes` });
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('error', reject);
    request.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({ ok: false, status: 400, error: 'body is empty; send a JSON object' });
      try {
        resolve({ ok: true, value: JSON.parse(text) as unknown });
      } catch (error) {
        resolve({ ok: false, status: 400, error: `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
      }
    });
  });
}

/** JSON of a body, or undefined when it has none (a BigInt or a cycle from the target). */
function stringify(body: unknown): string | undefined {
  try {
    return JSON.stringify(body) ?? 'null';
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return undefined;
  }
}

function send(response: http.ServerResponse, result: RpcResponse, log: Logger): void {
  let text = stringify(result.body);
  if (text === undefined) {
    log.warn('rpc: a result could not be encoded as JSON', { status: result.status });
    result = errorResponse(500, 'internal error; the node logged the details');
    text = JSON.stringify(result.body);
  }
  const headers: http.OutgoingHttpHeaders = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...result.headers,
  };
  // After a refused body the rest of it is still on the socket: close the
  // connection rather than read it to find the next request.
  if (result.status === 413) headers.Connection = 'close';
  response.writeHead(result.status, headers);
  response.end(text);
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Starts the RPC server; see RpcServerInit. */
export function createRpcServer(components: RpcServerComponents, init: RpcServerInit): RpcServer {
  const { log } = components;
  const host = init.host ?? '127.0.0.1';
  // The type allows only loopback; this catches a caller that cast around it.
  if (host !== '127.0.0.1') throw new TypeError(`rpc: host must be 127.0.0.1, got ${String(host)}`);
  if (!Number.isInteger(init.port) || init.port < 0 || init.port > 65535) throw new TypeError(`rpc: port must be an integer from 0 to 65535, got ${init.port}`);
  const token = createToken();
  const expected = digest(token);
  const route = createRpcRouter(components);

  const server = http.createServer({ requestTimeout: REQUEST_TIMEOUT_MS }, (request, response) => {
    const auth = tokenMatches(request.headers.authorization, expected);
    if (auth !== 'ok') {
      const why = auth === 'missing' ? 'missing Authorization: Bearer <token> (the token is in the node\'s .cookie file)' : 'wrong token';
      send(response, { ...errorResponse(401, why), headers: { 'WWW-Authenticate': 'Bearer realm="tabmesh"', Connection: 'close' } }, log);
      return;
    }
    const path = (request.url ?? '/').split('?', 1)[0]!;
    route({ method: request.method ?? 'GET', path, readBody: () => readJsonBody(request) }).then(
      (result) => send(response, result, log),
      (error: unknown) => {
        // The router catches the target's errors; this is a fault in the body stream.
        log.warn('rpc: request failed', { path, error: String(error) });
        if (!response.headersSent) send(response, errorResponse(500, 'internal error; the node logged the details'), log);
        else response.destroy();
      },
    );
  });
  server.on('clientError', (error, socket) => {
    log.warn('rpc: bad request', { error: error.message });
    socket.destroy();
  });

  const ready = (async () => {
    await listen(server, init.port, host);
    try {
      await writeCookie(init.cookiePath, { host, port: (server.address() as { port: number }).port, token });
    } catch (error) {
      server.close();
      throw error;
    }
    log.info('rpc: listening', { host, port: (server.address() as { port: number }).port, cookie: init.cookiePath });
  })();

  let closing: Promise<void> | undefined;
  return {
    ready,
    address() {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('rpc: server is not listening on a TCP port');
      return { port: address.port };
    },
    close() {
      closing ??= (async () => {
        await ready.catch(() => undefined); // a failed start was already reported through ready
        if (server.listening) {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
        }
        await removeCookie(init.cookiePath, token);
        log.info('rpc: closed');
      })();
      return closing;
    },
  };
}
