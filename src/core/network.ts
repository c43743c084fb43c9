/** Network names are rooms on the relay and are bound into every signature. */

export const DEFAULT_NETWORK = 'main';

/** 1–32 characters of letters, digits, `-` and `_`, starting with a letter or digit. */
const NETWORK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

export function isValidNetworkName(name: unknown): name is string {
  return typeof name === 'string' && NETWORK_NAME.test(name);
}
