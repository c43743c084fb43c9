/**
 * The full node's command line, parsed into options or a one-line error
 * naming the flag. Pure (no process, no file system): the bin prints the
 * error and exits, tests call it directly. The rules for --net and --links
 * are the tab's (src/core/network.ts, and ?links in src/app/config.ts), so a
 * node and a tab accept the same networks and mesh degrees.
 */
import { DEFAULT_NETWORK, isValidNetworkName } from '../src/core/network.ts';
import { DEFAULT_TARGET_LINKS, MAX_TARGET_LINKS } from '../src/net/mesh-maintainer.ts';
import { parseIceServers, type IceServer } from './ice-servers.ts';
import { parseFlags, parseIntegerIn } from './parse-flags.ts';

export type { IceServer } from './ice-servers.ts';

/** The relay of `npm start` on this machine (signaling/bin/serve.ts: PORT 8080, path /signal). */
export const DEFAULT_RELAY_URL = 'ws://127.0.0.1:8080/signal';
/**
 * RPC port when --rpc-port is not given. A fixed default lets `tabmesh-cli`
 * and curl find a node without reading files; 8645 is unassigned by IANA and
 * clear of common dev ports (Vite 5173, the relay 8080, bitcoind 8332).
 * --rpc-port 0 lets the OS pick a free port (for tests and several nodes on
 * one machine); the server records the actual port in DIR/.cookie, where the
 * CLI reads it.
 */
export const DEFAULT_RPC_PORT = 8645;
export { DEFAULT_TARGET_LINKS, MAX_TARGET_LINKS };

/** Everything the full node needs from its command line. */
export interface NodeOptions {
  relayUrl: string;
  network: string;
  /** Where the identity key, the ledger and the RPC cookie live. */
  dataDir: string;
  mine: boolean;
  /** 0: the OS picks a free port. */
  rpcPort: number;
  targetLinks: number;
  /** Empty by default: peers on one machine need no STUN (docs/GUIDE traps). */
  iceServers: IceServer[];
}

export type NodeFlagsResult = { ok: true; help: true } | { ok: true; help: false; options: NodeOptions } | { ok: false; error: string };

export const NODE_USAGE = `usage: tabmesh-node --data DIR [options]
  --data DIR           identity key, ledger and RPC cookie (required)
  --relay URL          signaling relay, ws:// or wss:// (default ${DEFAULT_RELAY_URL})
  --net NAME           network: 1-32 letters, digits, - or _ (default ${DEFAULT_NETWORK})
  --mine               mine blocks
  --rpc-port N         RPC port on 127.0.0.1, 0 = any free port (default ${DEFAULT_RPC_PORT})
  --links D            target number of mesh links, 1-${MAX_TARGET_LINKS} (default ${DEFAULT_TARGET_LINKS})
  --ice-servers JSON   STUN/TURN servers, e.g. '[{"urls":"stun:stun.example.org:3478"}]'
  --help               print this text`;

const FLAGS = {
  relay: { type: 'string' },
  net: { type: 'string' },
  data: { type: 'string' },
  mine: { type: 'boolean' },
  'rpc-port': { type: 'string' },
  links: { type: 'string' },
  'ice-servers': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function checkRelayUrl(raw: string): string | undefined {
  if (!/^wss?:\/\//.test(raw) || !URL.canParse(raw)) return `--relay must be a ws:// or wss:// URL, got '${raw}'`;
  return undefined;
}

/** Parses the full node's flags (argv without the node and script paths). */
export function parseNodeFlags(argv: readonly string[]): NodeFlagsResult {
  const parsed = parseFlags(argv, FLAGS, { positionals: false });
  if (!parsed.ok) return parsed;
  const { values } = parsed;
  // --help wins over every other problem, so a user can always ask for it.
  if (values.help) return { ok: true, help: true };

  if (values.data === undefined || values.data === '') return { ok: false, error: '--data DIR is required' };
  const relayUrl = values.relay ?? DEFAULT_RELAY_URL;
  const relayError = checkRelayUrl(relayUrl);
  if (relayError) return { ok: false, error: relayError };
  const network = values.net ?? DEFAULT_NETWORK;
  if (!isValidNetworkName(network)) return { ok: false, error: `--net '${network}' is not a valid network name: use 1-32 letters, digits, - or _` };

  const rpcPort = values['rpc-port'] === undefined ? { ok: true as const, value: DEFAULT_RPC_PORT } : parseIntegerIn('--rpc-port', values['rpc-port'], 0, 65535);
  if (!rpcPort.ok) return rpcPort;
  const links = values.links === undefined ? { ok: true as const, value: DEFAULT_TARGET_LINKS } : parseIntegerIn('--links', values.links, 1, MAX_TARGET_LINKS);
  if (!links.ok) return links;
  const ice = values['ice-servers'] === undefined ? { ok: true as const, value: [] } : parseIceServers(values['ice-servers']);
  if (!ice.ok) return { ok: false, error: `--ice-servers: ${ice.error}` };

  return {
    ok: true,
    help: false,
    options: { relayUrl, network, dataDir: values.data, mine: values.mine ?? false, rpcPort: rpcPort.value, targetLinks: links.value, iceServers: ice.value },
  };
}
