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
 *   HTTPS and WSS on the same port (signaling/tls-config.ts):
 *     --tls-cert FILE --tls-key FILE, or TLS_CERT / TLS_KEY: a PEM certificate and key
 *     --https: a self-signed certificate for LAN testing, kept in TABMESH_TLS_DIR (default data/tls)
 *   STUN/TURN servers served to pages at /config.json (signaling/ice-servers.ts); a flag wins over its variable:
 *     --stun URLS, or TABMESH_STUN: comma-separated stun:/stuns: URLs
 *     --turn URLS, or TABMESH_TURN: comma-separated turn:/turns: URLs
 *     --turn-secret S, or TABMESH_TURN_SECRET: coturn's static-auth-secret (prefer the variable: flags show in ps)
 *     --turn-ttl SEC, or TABMESH_TURN_TTL: lifetime of a minted TURN credential (default 3600)
 *   REDIS_URL (e.g. redis://127.0.0.1:6379): relay processes on one Redis share
 *         their rooms (signaling/redis-rooms.ts); unset, rooms live in memory
 *   The relay's limits (signaling/relay-settings.ts; defaults and their reasons
 *   in RELAY_DEFAULTS, relay-server.ts); a flag wins over its variable:
 *     --max-connections N, or TABMESH_MAX_CONNECTIONS: sockets in all (default from memory)
 *     --max-pending-joins N, or TABMESH_MAX_PENDING_JOINS: sockets not yet joined, in all
 *     --pending-per-address N, or TABMESH_PENDING_PER_ADDRESS: sockets not yet joined, per address
 *     --members-per-address N, or TABMESH_MEMBERS_PER_ADDRESS: joined ids per address
 *     --join-burst N, --joins-per-minute N, or TABMESH_JOIN_BURST, TABMESH_JOINS_PER_MINUTE: new sockets per address
 *     --max-room-size N, or TABMESH_MAX_ROOM_SIZE: members of one room on this process
 *     --join-timeout SEC, or TABMESH_JOIN_TIMEOUT: how long a socket may take to join
 *     --trust-proxy N, or TABMESH_TRUST_PROXY (default 0): reverse proxies in front
 *         of the server whose X-Forwarded-For the relay trusts for the client's
 *         address (per-address limits, signaling/relay-address-limits.ts); set 1
 *         behind one proxy, or every client shares the proxy's limits
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_NETWORK, isValidNetworkName } from '../../src/core/network.ts';
import { InvalidArgumentError } from '../../src/core/result.ts';
import { createAppServer, MissingBuildError, type AppServer } from '../http-server.ts';
import { IceConfigError, parseIceSettings, type IceSettings, type RawSetting } from '../ice-servers.ts';
import { RELAY_SETTING_FLAGS, RelaySettingsError, parseRelaySettings, relaySettingsUsage, type RelaySettings } from '../relay-settings.ts';
import { resolveTls, type TlsSetup } from '../tls-config.ts';
import { TlsFileError } from '../tls-files.ts';
import { closeOnSignals, describeListenError, exitWith, portFromEnv } from './cli.ts';
import { startSeedNode, type SeedNode } from './seed-node.ts';

const USAGE = [
  'usage: npm start [-- [--seed] [--https | --tls-cert FILE --tls-key FILE] [--stun URLS] [--turn URLS --turn-secret S [--turn-ttl SEC]]',
  '                    [relay limits]]',
  '  (environment: PORT, HOST, TABMESH_DIST, TABMESH_SEED, TABMESH_SEED_DATA, TABMESH_SEED_NET, TABMESH_SEED_RPC_PORT,',
  '   TLS_CERT, TLS_KEY, TABMESH_TLS_DIR, TABMESH_STUN, TABMESH_TURN, TABMESH_TURN_SECRET, TABMESH_TURN_TTL, REDIS_URL)',
  '  relay limits (a flag wins over its variable; unset, the defaults of signaling/relay-server.ts RELAY_DEFAULTS):',
  ...relaySettingsUsage().map((line) => `    ${line}`),
].join('\n');
let seedFlag = false;
let tls: TlsSetup | undefined;
let ice: IceSettings;
let relaySettings: RelaySettings;
try {
  const { values } = parseArgs({
    options: {
      seed: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      https: { type: 'boolean' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
      stun: { type: 'string' }, turn: { type: 'string' }, 'turn-secret': { type: 'string' }, 'turn-ttl': { type: 'string' },
      ...RELAY_SETTING_FLAGS,
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  seedFlag = values.seed === true;
  /** A flag wins over its environment variable; the name travels along for error messages. */
  const setting = (flag: string, env: string): RawSetting | undefined => {
    const fromFlag = (values as Record<string, unknown>)[flag];
    if (typeof fromFlag === 'string') return { value: fromFlag, name: `--${flag}` };
    const fromEnv = process.env[env];
    return fromEnv === undefined ? undefined : { value: fromEnv, name: env };
  };
  ice = parseIceSettings({
    stun: setting('stun', 'TABMESH_STUN'), turn: setting('turn', 'TABMESH_TURN'),
    turnSecret: setting('turn-secret', 'TABMESH_TURN_SECRET'), turnTtl: setting('turn-ttl', 'TABMESH_TURN_TTL'),
  });
  relaySettings = parseRelaySettings(setting);
  tls = await resolveTls({
    cert: setting('tls-cert', 'TLS_CERT'), key: setting('tls-key', 'TLS_KEY'),
    selfSigned: values.https === true, dir: resolve(process.env.TABMESH_TLS_DIR || 'data/tls'),
  });
} catch (error) {
  if (error instanceof IceConfigError || error instanceof TlsFileError || error instanceof RelaySettingsError) exitWith(error.message);
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
  server = createAppServer({ port, host, distDir, tls: tls?.credentials, ice, relay: { redisUrl: process.env.REDIS_URL || undefined, ...relaySettings } });
} catch (error) {
  if (error instanceof MissingBuildError) exitWith(error.message);
  if (error instanceof InvalidArgumentError) exitWith(`REDIS_URL: ${error.message}`);
  throw error;
}
try {
  await server.ready;
} catch (error) {
  exitWith(describeListenError(error, port));
}
const { port: actualPort } = server.address();
// Before the "serving" line: a supervisor (or test) that stops us as soon as it reads it must get a clean shutdown.
let seed: SeedNode | undefined;
closeOnSignals(async () => {
  await seed?.stop();
  await server.close();
});
const [web, socket] = tls ? ['https', 'wss'] : ['http', 'ws'];
for (const note of tls?.notes ?? []) console.log(`tabmesh: ${note}`);
console.log(`tabmesh serving ${web}://localhost:${actualPort}/ (relay ${socket}://localhost:${actualPort}/signal)`);
if (ice.stunUrls.length + ice.turnUrls.length > 0) console.log(`tabmesh: pages get ICE servers ${[...ice.stunUrls, ...ice.turnUrls].join(', ')}${ice.turnUrls.length > 0 ? ` (TURN credentials valid ${ice.turnTtlSec} s)` : ''}`);
if (seedOn) {
  const dataDir = resolve(process.env.TABMESH_SEED_DATA || 'data/seed');
  console.log(`tabmesh: starting the seed node on network '${seedNetwork}', data in ${dataDir}`);
  // Over TLS the seed dials wss://localhost, which a self-signed certificate names; the child trusts our certificate
  // through NODE_EXTRA_CA_CERTS (read at its start; spawn passes our environment on).
  if (tls) process.env.NODE_EXTRA_CA_CERTS ??= tls.certFile;
  const relayUrl = tls ? `wss://localhost:${actualPort}/signal` : `ws://127.0.0.1:${actualPort}/signal`;
  seed = startSeedNode({ relayUrl, network: seedNetwork, dataDir, rpcPort: seedRpcPort });
}
