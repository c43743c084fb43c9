/**
 * The page's ICE servers (STUN/TURN): asked of this page's own server at
 * `GET /config.json` (docs/PROTOCOL.md, "Page config"), which mints TURN
 * credentials so that its shared secret never reaches a page. Two URL
 * parameters override them for one page, for testing a STUN or TURN server
 * without touching the server:
 *
 *   ?stun=URL[,URL…]   replaces the server's STUN entries (`?stun=` alone: none)
 *   ?turn=URL[,URL…]&turn-user=NAME&turn-pass=CREDENTIAL
 *                      replaces the server's TURN entries (`?turn=` alone: none)
 *
 * When both are given /config.json is not asked at all. Anything wrong with
 * the server's answer (unreachable, not JSON, wrong shape, a TURN entry
 * without credentials, which would make every RTCPeerConnection throw) is
 * logged in the page's event log and the page goes on with no ICE servers:
 * tabs on one machine or one LAN link without any. A bad URL parameter is the
 * tester's own mistake and throws ConfigError, which the page shows.
 */
import { describeValue } from '../core/describe-value.ts';
import type { Logger } from '../core/types.ts';
import { ConfigError, type PeerConfig } from './config.ts';

/** Where the server answers (same origin as the page). */
export const PAGE_CONFIG_PATH = '/config.json';
/** The server answers from memory in a millisecond; a server that does not answer in 5 s should not hold the peer's start. */
export const PAGE_CONFIG_TIMEOUT_MS = 5_000;
/** The real answer is a few hundred bytes; the cap bounds what an odd proxy could make the page parse. */
export const MAX_PAGE_CONFIG_BYTES = 16 * 1024;
/** Matches the server's limit per kind (signaling/ice-servers.ts), with room for both kinds. */
export const MAX_ICE_SERVERS = 16;
const MAX_URLS_PER_SERVER = 8;
const MAX_FIELD_CHARS = 512;
const ICE_URL = /^(stuns?|turns?):[^\s,]+$/;

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/** A parsed answer, or why it was refused. */
export type IceConfigParse = { ok: true; value: RTCIceServer[] } | { ok: false; detail: string };

const isTurnUrl = (url: string) => url.startsWith('turn');
const urlsOf = (server: RTCIceServer): string[] => (typeof server.urls === 'string' ? [server.urls] : server.urls);

function parseServer(entry: unknown, index: number): RTCIceServer | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `iceServers[${index}] is not an object`;
  const { urls, username, credential } = entry as Record<string, unknown>;
  const list = typeof urls === 'string' ? [urls] : urls;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_URLS_PER_SERVER) return `iceServers[${index}].urls must be 1-${MAX_URLS_PER_SERVER} URLs`;
  for (const url of list) {
    if (typeof url !== 'string' || url.length > MAX_FIELD_CHARS || !ICE_URL.test(url)) return `iceServers[${index}].urls has ${typeof url === 'string' ? `'${url.slice(0, 80)}'` : describeValue(url)}, not a stun:/turn: URL`;
  }
  for (const [name, value] of [['username', username], ['credential', credential]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length > MAX_FIELD_CHARS)) return `iceServers[${index}].${name} must be a string`;
  }
  // RTCPeerConnection throws InvalidAccessError for a TURN URL without both; refusing here keeps dialing alive.
  if ((list as string[]).some(isTurnUrl) && (typeof username !== 'string' || typeof credential !== 'string')) {
    return `iceServers[${index}] is a TURN server without username and credential`;
  }
  return { urls: [...(list as string[])], ...(typeof username === 'string' ? { username } : {}), ...(typeof credential === 'string' ? { credential } : {}) };
}

/** Parses the text of a `/config.json` answer with limits; never throws. */
export function parseIceConfig(text: string): IceConfigParse {
  if (text.length > MAX_PAGE_CONFIG_BYTES) return { ok: false, detail: `larger than ${MAX_PAGE_CONFIG_BYTES} bytes` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, detail: `not JSON (${(error as Error).message})` };
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { iceServers?: unknown }).iceServers)) return { ok: false, detail: 'no iceServers array' };
  const entries = (body as { iceServers: unknown[] }).iceServers;
  if (entries.length > MAX_ICE_SERVERS) return { ok: false, detail: `${entries.length} iceServers; at most ${MAX_ICE_SERVERS}` };
  const servers: RTCIceServer[] = [];
  for (const [index, entry] of entries.entries()) {
    const parsed = parseServer(entry, index);
    if (typeof parsed === 'string') return { ok: false, detail: parsed };
    servers.push(parsed);
  }
  return { ok: true, value: servers };
}

interface Override {
  stun?: RTCIceServer[];
  turn?: RTCIceServer[];
}

/** Reads ?stun= and ?turn= (with ?turn-user= and ?turn-pass=); throws ConfigError naming the parameter. */
export function readIceOverride(search: string): Override {
  const params = new URLSearchParams(search);
  const list = (name: 'stun' | 'turn'): string[] | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    const urls = [...new Set(raw.split(',').map((url) => url.trim()).filter((url) => url !== ''))];
    if (urls.length > MAX_URLS_PER_SERVER) throw new ConfigError(`?${name}= lists ${urls.length} URLs; at most ${MAX_URLS_PER_SERVER}`);
    for (const url of urls) {
      if (!ICE_URL.test(url) || isTurnUrl(url) !== (name === 'turn')) throw new ConfigError(`?${name}=: '${url}' is not a ${name}: URL (like ${name}:host:3478)`);
    }
    return urls;
  };
  const override: Override = {};
  const stun = list('stun');
  if (stun) override.stun = stun.length > 0 ? [{ urls: stun }] : [];
  const turn = list('turn');
  if (turn && turn.length > 0) {
    const username = params.get('turn-user');
    const credential = params.get('turn-pass');
    if (username === null || credential === null) throw new ConfigError('?turn= needs ?turn-user= and ?turn-pass= (for a coturn with use-auth-secret: a minted name and credential)');
    override.turn = [{ urls: turn, username, credential }];
  } else if (turn) override.turn = [];
  return override;
}

async function fetchServerIce(fetchFn: FetchFn, log: Logger): Promise<RTCIceServer[]> {
  let response: Response;
  try {
    response = await fetchFn(PAGE_CONFIG_PATH, { cache: 'no-store', signal: AbortSignal.timeout(PAGE_CONFIG_TIMEOUT_MS) });
  } catch (error) {
    log.warn('ICE config: could not fetch /config.json; going on with no STUN/TURN servers', { error: String(error) });
    return [];
  }
  if (response.status === 404) {
    // A server without the route (an older relay, a static host): no ICE servers is its honest answer.
    log.info('ICE config: the server has no /config.json; no STUN/TURN servers');
    return [];
  }
  if (!response.ok) {
    log.warn('ICE config: /config.json failed; going on with no STUN/TURN servers', { status: response.status });
    return [];
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    log.warn('ICE config: /config.json could not be read; going on with no STUN/TURN servers', { error: String(error) });
    return [];
  }
  const parsed = parseIceConfig(text);
  if (!parsed.ok) {
    log.warn(`ICE config: /config.json is malformed (${parsed.detail}); going on with no STUN/TURN servers`);
    return [];
  }
  return parsed.value;
}

/**
 * The ICE servers this page dials with: the server's, with ?stun=/?turn= overriding their kind.
 * Never rejects for a server problem (logged, then []); throws ConfigError for a bad URL parameter.
 */
export async function resolveIceServers(config: PeerConfig, fetchFn: FetchFn, log: Logger, search = globalThis.location?.search ?? ''): Promise<RTCIceServer[]> {
  const override = readIceOverride(search);
  const fromServer = override.stun && override.turn ? [] : await fetchServerIce(fetchFn, log);
  const servers = [
    ...(override.stun ?? fromServer.filter((server) => !urlsOf(server).some(isTurnUrl))),
    ...(override.turn ?? fromServer.filter((server) => urlsOf(server).some(isTurnUrl))),
    ...config.iceServers, // empty from the URL today; kept so a build that presets servers still has them
  ];
  const kinds = servers.flatMap(urlsOf).map((url) => url.split(':', 1)[0] ?? '');
  const turnCount = kinds.filter((kind) => kind.startsWith('turn')).length;
  if (servers.length > 0) log.info('ICE servers', { stun: kinds.length - turnCount, turn: turnCount, relayOnly: config.iceTransportPolicy === 'relay' });
  if (config.iceTransportPolicy === 'relay' && turnCount === 0) log.warn('?ice=relay but no TURN server is configured: this tab cannot link');
  return servers;
}
