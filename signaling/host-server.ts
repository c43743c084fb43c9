/**
 * One Node server carrying the page, `GET /healthz`, `GET /config.json` (ICE
 * servers for the page) and the relay on `/signal`. `npm start` (static
 * dist/) and `npm run dev` (Vite middleware) both build on it, so health
 * checks, page config and the relay behave the same in both.
 *
 * With `tls` it is an https.Server: the page is served over HTTPS and the
 * relay over WSS on the same port, so a tab opened from another machine is a
 * secure context (WebCrypto and Web Locks exist only there).
 */
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../src/core/types.ts';
import { serveIceConfig, type IceSettings } from './ice-servers.ts';
import { createConsoleLogger } from './logger.ts';
import { RELAY_LISTEN_BACKLOG, createRelayServer, type RelayServer, type RelayServerInit } from './relay-server.ts';

/** Relay settings a host may tune; the host supplies server, log and upgrade policy. */
export type RelayOptions = Omit<RelayServerInit, 'server' | 'port' | 'host' | 'log' | 'exclusiveUpgrades'>;

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface HostServerInit {
  port: number;
  /** Listen address; undefined means every interface (IPv6 and IPv4 where available). */
  host?: string;
  /** Serves every request other than /healthz. */
  handle: RequestHandler;
  relay?: RelayOptions;
  /** Refuse upgrades on paths other than the relay's. False when another handler (Vite HMR) takes upgrades. */
  exclusiveUpgrades: boolean;
  log?: Logger;
  /** PEM certificate and key: serve HTTPS and WSS instead of HTTP and WS (tls-files.ts checks them). */
  tls?: { cert: string; key: string };
  /** STUN/TURN servers handed to pages at /config.json; none by default (tabs on one machine need none). */
  ice?: IceSettings;
}

export interface HostServer {
  /** Resolves once listening; rejects (e.g. EADDRINUSE) if listening fails. */
  readonly ready: Promise<void>;
  address(): { port: number; host: string };
  /** Closes the relay's sockets, then the HTTP server and its keep-alive connections. */
  close(): Promise<void>;
  /** An https.Server (a subclass for our purposes) when `tls` was given. */
  readonly httpServer: http.Server;
  readonly relay: RelayServer;
}

export interface HealthReport {
  ok: true;
  rooms: number;
  peers: number;
  uptimeSec: number;
}

/** Creates and starts listening. */
export function createHostServer(init: HostServerInit): HostServer {
  const log = init.log ?? createConsoleLogger();
  const startedMs = performance.now();
  const onRequest: RequestHandler = (req, res) => {
    try {
      const pathname = (req.url ?? '').split('?', 1)[0];
      if (pathname === '/healthz') return health(req, res);
      if (pathname === '/config.json') return serveIceConfig(init.ice, req, res);
      init.handle(req, res);
    } catch (error) {
      log.warn('server: request handler failed', { url: req.url, error: String(error) });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal error\n');
    }
  };
  const httpServer: http.Server = init.tls ? https.createServer({ cert: init.tls.cert, key: init.tls.key }, onRequest) : http.createServer(onRequest);
  const relay = createRelayServer({ ...init.relay, server: httpServer, exclusiveUpgrades: init.exclusiveUpgrades, log });

  function health(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
      res.end('method not allowed\n');
      return;
    }
    const { rooms, peers } = relay.stats();
    const report: HealthReport = { ok: true, rooms, peers, uptimeSec: Math.floor((performance.now() - startedMs) / 1000) };
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(report));
  }

  const ready = new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen({ port: init.port, host: init.host, backlog: RELAY_LISTEN_BACKLOG }, () => {
      httpServer.off('error', reject);
      httpServer.on('error', (error) => log.warn('server: error', { error: error.message }));
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    ready,
    httpServer,
    relay,
    address: () => relay.address(),
    close() {
      closing ??= (async () => {
        await relay.close();
        await ready.catch(() => undefined); // a failed listen was already reported through ready
        if (!httpServer.listening) return;
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
