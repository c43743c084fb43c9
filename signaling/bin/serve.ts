/**
 * `npm start`: serves dist/ and the relay on one port.
 *   PORT (default 8080)
 *   HOST (default: every interface, IPv6 and IPv4, so http://localhost:PORT/
 *         works whichever address localhost resolves to, and other machines
 *         on the network can join; set HOST=127.0.0.1 to keep it local)
 *   TABMESH_DIST (default dist/): the built page to serve, so two e2e runs
 *         with their own builds can share one checkout
 */
import { fileURLToPath } from 'node:url';
import { createAppServer, MissingBuildError, type AppServer } from '../http-server.ts';
import { closeOnSignals, describeListenError, exitWith, portFromEnv } from './cli.ts';

const port = portFromEnv('PORT', 8080);
const host = process.env.HOST || undefined;
const distDir = process.env.TABMESH_DIST || fileURLToPath(new URL('../../dist/', import.meta.url));

let server: AppServer;
try {
  server = createAppServer({ port, host, distDir });
} catch (error) {
  if (error instanceof MissingBuildError) exitWith(error.message);
  throw error;
}
try {
  await server.ready;
} catch (error) {
  exitWith(describeListenError(error, port));
}
const { port: actualPort } = server.address();
console.log(`tabmesh serving http://localhost:${actualPort}/ (relay ws://localhost:${actualPort}/signal)`);
closeOnSignals(() => server.close());
