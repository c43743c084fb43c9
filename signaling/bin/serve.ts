/**
 * `npm start`: serves dist/ and the relay on one port.
 *   PORT (default 8080)
 *   HOST (default: every interface, IPv6 and IPv4, so http://localhost:PORT/
 *         works whichever address localhost resolves to, and other machines
 *         on the network can join; set HOST=127.0.0.1 to keep it local)
 *   TABMESH_DIST (default dist/): the built page to serve, so two e2e runs
 *         with their own builds can share one checkout
 *   --seed, or TABMESH_SEED=1: also run one full node beside the relay
 *         (seed-node.ts), with its data in TABMESH_SEED_DATA (default
 *         data/seed), on TABMESH_SEED_NET (default main), RPC port
 *         TABMESH_SEED_RPC_PORT (default 8645)
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_NETWORK, isValidNetworkName } from '../../src/core/network.ts';
import { createAppServer, MissingBuildError, type AppServer } from '../http-server.ts';
import { closeOnSignals, describeListenError, exitWith, portFromEnv } from './cli.ts';
import { startSeedNode, type SeedNode } from './seed-node.ts';

const USAGE = 'usage: npm start [-- --seed]   (environment: PORT, HOST, TABMESH_DIST, TABMESH_SEED, TABMESH_SEED_DATA, TABMESH_SEED_NET, TABMESH_SEED_RPC_PORT)';
let seedFlag = false;
try {
  const { values } = parseArgs({ options: { seed: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: false });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  seedFlag = values.seed === true;
} catch (error) {
  console.error(`tabmesh: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
const seedOn = seedFlag || process.env.TABMESH_SEED === '1';
const seedNetwork = process.env.TABMESH_SEED_NET || DEFAULT_NETWORK;
if (seedOn && !isValidNetworkName(seedNetwork)) exitWith(`TABMESH_SEED_NET=${seedNetwork} is not a network name (1-32 letters, digits, - or _)`);
const seedRpcPort = portFromEnv('TABMESH_SEED_RPC_PORT', 8645);

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
let seed: SeedNode | undefined;
if (seedOn) {
  const dataDir = resolve(process.env.TABMESH_SEED_DATA || 'data/seed');
  console.log(`tabmesh: starting the seed node on network '${seedNetwork}', data in ${dataDir}`);
  seed = startSeedNode({ relayUrl: `ws://127.0.0.1:${actualPort}/signal`, network: seedNetwork, dataDir, rpcPort: seedRpcPort });
}
closeOnSignals(async () => {
  await seed?.stop();
  await server.close();
});
