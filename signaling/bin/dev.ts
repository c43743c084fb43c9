/**
 * `npm run dev`: Vite with hot reload, plus the relay and /healthz, on one port.
 *   PORT (default 5173, Vite's usual port)
 *   HOST (default localhost: a dev server exposes source files, so like Vite
 *         it stays on this machine unless HOST=0.0.0.0 is set)
 */
import { fileURLToPath } from 'node:url';
import { createDevServer } from '../dev-server.ts';
import { closeOnSignals, describeListenError, exitWith, portFromEnv } from './cli.ts';

const port = portFromEnv('PORT', 5173);
const host = process.env.HOST || 'localhost';
const root = fileURLToPath(new URL('../../', import.meta.url));

try {
  const server = await createDevServer({ port, host, root });
  const { port: actualPort } = server.address();
  console.log(`tabmesh dev server http://localhost:${actualPort}/ (relay ws://localhost:${actualPort}/signal)`);
  closeOnSignals(() => server.close());
} catch (error) {
  exitWith(describeListenError(error, port));
}
