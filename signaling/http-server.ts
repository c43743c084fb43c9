/**
 * The production server behind `npm start`: the built page from dist/ (sirv),
 * `GET /healthz`, `GET /config.json`, and the relay on `/signal`, all on one
 * port; over HTTPS/WSS when given a certificate.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sirv from 'sirv';
import type { Logger } from '../src/core/types.ts';
import { createHostServer, type HostServer, type HostServerInit, type RelayOptions } from './host-server.ts';

export interface AppServerInit {
  port: number;
  /** Listen address; undefined means every interface. */
  host?: string;
  /** The Vite build output; must contain index.html. */
  distDir: string;
  relay?: RelayOptions;
  log?: Logger;
  /** Serve HTTPS and WSS with this PEM certificate and key (see host-server.ts). */
  tls?: HostServerInit['tls'];
  /** STUN/TURN servers for pages at /config.json (ice-servers.ts). */
  ice?: HostServerInit['ice'];
}

export type AppServer = Pick<HostServer, 'ready' | 'address' | 'close' | 'relay'>;

/** dist/ has no index.html: the page was never built. */
export class MissingBuildError extends Error {
  override readonly name = 'MissingBuildError';
}

/** Vite puts content-hashed files under assets/: a changed file gets a new name, so they may be cached forever. */
const HASHED_ASSETS = '/assets/';

/** Creates and starts the server; throws MissingBuildError at once when distDir lacks index.html. */
export function createAppServer(init: AppServerInit): AppServer {
  const distDir = path.resolve(init.distDir);
  if (!existsSync(path.join(distDir, 'index.html'))) {
    throw new MissingBuildError(`no built page at ${distDir}/index.html: run \`npm run build\` first`);
  }
  const serveStatic = sirv(distDir, {
    single: true, // unknown paths without a file extension get index.html (client-side routes)
    etag: true,
    setHeaders: (res, pathname) => {
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', pathname.startsWith(HASHED_ASSETS) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return createHostServer({
    port: init.port,
    host: init.host,
    relay: init.relay,
    log: init.log,
    tls: init.tls,
    ice: init.ice,
    exclusiveUpgrades: true,
    handle: (req, res) =>
      serveStatic(req, res, () => {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found\n');
      }),
  });
}
