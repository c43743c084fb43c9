/**
 * The server behind `npm run dev`: Vite in middleware mode plus the relay and
 * /healthz on the same port. Vite's HMR socket and the relay share the
 * http.Server's upgrade event without colliding: Vite only takes upgrades
 * carrying the `vite-hmr`/`vite-ping` subprotocol on its base path, and the
 * relay only takes `/signal` (it is attached non-exclusively, so it leaves
 * every other upgrade to Vite).
 */
import type { ViteDevServer } from 'vite';
import type { Logger } from '../src/core/types.ts';
import { createHostServer, type HostServer, type RelayOptions } from './host-server.ts';

export interface DevServerInit {
  port: number;
  host?: string;
  /** Project root holding index.html; default process.cwd(). */
  root?: string;
  /** Vite config file, or false for none; default: Vite's lookup in root. */
  configFile?: string | false;
  relay?: RelayOptions;
  log?: Logger;
}

export type DevServer = Pick<HostServer, 'ready' | 'address' | 'close' | 'relay'>;

/** Starts Vite and the relay; resolves once both are ready. */
export async function createDevServer(init: DevServerInit): Promise<DevServer> {
  const { createServer } = await import('vite'); // loaded lazily: production never imports Vite
  let vite: ViteDevServer | undefined;
  const host = createHostServer({
    port: init.port,
    host: init.host,
    relay: init.relay,
    log: init.log,
    exclusiveUpgrades: false,
    handle: (req, res) => {
      if (vite === undefined) {
        res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '1' });
        res.end('vite is starting\n');
        return;
      }
      vite.middlewares(req, res, () => {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found\n');
      });
    },
  });
  try {
    const started = await createServer({
      root: init.root,
      configFile: init.configFile,
      appType: 'spa',
      server: { middlewareMode: true, ws: { server: host.httpServer } },
    });
    vite = started;
    await host.ready;
    return {
      ready: host.ready,
      relay: host.relay,
      address: () => host.address(),
      close: async () => {
        await started.close();
        await host.close();
      },
    };
  } catch (error) {
    await host.close();
    throw error;
  }
}
