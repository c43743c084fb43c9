/**
 * A tab's settings, read from its URL so that scripts and demos can point
 * tabs at networks and relays without a build step:
 *   ?net=NAME     network (default 'main'); also the relay room
 *   ?relay=URL    signaling relay (default: this page's origin + /signal)
 *   ?links=N      target number of links, D (default 6; the mesh keeps between ⌈2D/3⌉ and 2D)
 */
import { DEFAULT_NETWORK, isValidNetworkName } from '../core/network.ts';
import { DEFAULT_TARGET_LINKS, MAX_TARGET_LINKS } from '../net/mesh-maintainer.ts';

export interface PeerConfig {
  network: string;
  relayUrl: string;
  targetLinks: number;
  /** Empty: tabs on one machine need no STUN. Real deployments add STUN/TURN here. */
  iceServers: RTCIceServer[];
}

export { DEFAULT_TARGET_LINKS } from '../net/mesh-maintainer.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function readConfig(location: Pick<Location, 'search' | 'protocol' | 'host'>): PeerConfig {
  const params = new URLSearchParams(location.search);
  const network = params.get('net') ?? DEFAULT_NETWORK;
  if (!isValidNetworkName(network)) throw new ConfigError(`?net=${network} is not a valid network name: use 1-32 letters, digits, - or _`);
  const relayUrl = params.get('relay') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
  if (!/^wss?:\/\//.test(relayUrl)) throw new ConfigError(`?relay=${relayUrl} must be a ws:// or wss:// URL`);
  const linksParam = params.get('links');
  const targetLinks = linksParam === null ? DEFAULT_TARGET_LINKS : Number(linksParam);
  if (!Number.isInteger(targetLinks) || targetLinks < 1 || targetLinks > MAX_TARGET_LINKS) {
    throw new ConfigError(`?links=${linksParam} must be an integer from 1 to ${MAX_TARGET_LINKS}`);
  }
  return { network, relayUrl, targetLinks, iceServers: [] };
}
