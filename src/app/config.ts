/**
 * A tab's settings, read from its URL so that scripts and demos can point
 * tabs at networks and relays without a build step:
 *   ?net=NAME     network (default 'main'); also the relay room
 *   ?relay=URL[,URL…]  signaling relays (default: this page's origin + /signal), at most MAX_RELAYS
 *   ?ice=relay    relay-only ICE (iceTransportPolicy 'relay'): links only through a TURN server, for testing
 *   ?links=N      target number of links, D (default 6; the mesh keeps between ⌈2D/3⌉ and 2D)
 *   ?deployments-from=H  test networks only: the deployments this build knows start signalling
 *                 at height H instead of their schedule (docs/PROTOCOL.md, "Deployments"), so a
 *                 demo sees one activate within a few windows; every tab of the network must agree
 */
import { chainParams } from '../core/ledger/params.ts';
import { DEFAULT_NETWORK, isValidNetworkName } from '../core/network.ts';
import { DEFAULT_TARGET_LINKS, MAX_TARGET_LINKS } from '../net/mesh-maintainer.ts';

export interface PeerConfig {
  network: string;
  /** One or more relays; the first is this page's own unless ?relay= says otherwise. */
  relayUrls: string[];
  targetLinks: number;
  /** Empty: tabs on one machine need no STUN. Real deployments add STUN/TURN here. */
  iceServers: RTCIceServer[];
  /** 'relay' (?ice=relay) gathers only TURN candidates. */
  iceTransportPolicy: RTCIceTransportPolicy;
  /** ?deployments-from=H on a test network; absent: each deployment's own schedule. */
  deploymentsFromHeight?: number;
}

/** The highest ?deployments-from= a page takes: far above any test chain, well inside a safe integer. */
export const MAX_DEPLOYMENTS_FROM = 1_000_000;

/** Relays a page joins at most: each is a socket and a room membership; a few give redundancy. */
export const MAX_RELAYS = 8;

export { DEFAULT_TARGET_LINKS } from '../net/mesh-maintainer.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function readConfig(location: Pick<Location, 'search' | 'protocol' | 'host'>): PeerConfig {
  const params = new URLSearchParams(location.search);
  const network = params.get('net') ?? DEFAULT_NETWORK;
  if (!isValidNetworkName(network)) throw new ConfigError(`?net=${network} is not a valid network name: use 1-32 letters, digits, - or _`);
  const relayParam = params.get('relay');
  const relayUrls = relayParam === null ? [`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`] : [...new Set(relayParam.split(',').map((url) => url.trim()))];
  if (relayUrls.length > MAX_RELAYS) throw new ConfigError(`?relay= lists ${relayUrls.length} relays; at most ${MAX_RELAYS}`);
  for (const url of relayUrls) {
    if (!/^wss?:\/\//.test(url) || !URL.canParse(url)) throw new ConfigError(`?relay=${relayParam}: '${url}' is not a ws:// or wss:// URL`);
  }
  const ice = params.get('ice');
  if (ice !== null && ice !== 'relay' && ice !== 'all') throw new ConfigError(`?ice=${ice} must be 'relay' (TURN only) or 'all'`);
  const linksParam = params.get('links');
  const targetLinks = linksParam === null ? DEFAULT_TARGET_LINKS : Number(linksParam);
  if (!Number.isInteger(targetLinks) || targetLinks < 1 || targetLinks > MAX_TARGET_LINKS) {
    throw new ConfigError(`?links=${linksParam} must be an integer from 1 to ${MAX_TARGET_LINKS}`);
  }
  const config: PeerConfig = { network, relayUrls, targetLinks, iceServers: [], iceTransportPolicy: ice === 'relay' ? 'relay' : 'all' };
  const fromParam = params.get('deployments-from');
  if (fromParam === null) return config;
  // A schedule is consensus: on a shared network it must come from the code, never from a link someone sent.
  if (chainParams(network).kind !== 'test') throw new ConfigError(`?deployments-from= is for test networks only (a ?net= starting with 'test'), not '${network}'`);
  const from = Number(fromParam);
  if (!/^\d+$/.test(fromParam) || from > MAX_DEPLOYMENTS_FROM) throw new ConfigError(`?deployments-from=${fromParam} must be a block height from 0 to ${MAX_DEPLOYMENTS_FROM}`);
  return { ...config, deploymentsFromHeight: from };
}
