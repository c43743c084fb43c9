/**
 * STUN and TURN servers for pages, served at `GET /config.json`
 * (docs/PROTOCOL.md, "Page config"). Tabs behind different NATs need STUN to
 * learn their public address, and TURN where no direct path exists (carrier
 * NAT, symmetric NAT, strict firewalls).
 *
 * TURN credentials are minted per request with the TURN REST API scheme:
 * draft-uberti-behave-turn-rest-00, section 2.2, which coturn implements as
 * `use-auth-secret` + `static-auth-secret` (turnserver(1), "TURN REST API";
 * coturn's README.turnserver):
 *
 *   username   = "<expiry, unix seconds>:<random id>"
 *   credential = base64(HMAC-SHA1(secret, username))
 *
 * coturn recomputes the HMAC with its own copy of the secret and refuses a
 * username whose expiry has passed. A page thus gets a credential that works
 * until the expiry and never sees the secret, which stays on this server.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';

/** One entry of RTCConfiguration.iceServers (W3C webrtc-pc, RTCIceServer). */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** The body of `GET /config.json`. */
export interface PageConfigResponse {
  iceServers: IceServer[];
}

/** Validated STUN/TURN settings of a server. */
export interface IceSettings {
  stunUrls: string[];
  turnUrls: string[];
  /** coturn's static-auth-secret; set exactly when turnUrls is not empty. */
  turnSecret?: string;
  /** How long a minted TURN credential stays valid. */
  turnTtlSec: number;
}

/** A setting's raw value and the name it was given under (env var or flag), for error messages. */
export interface RawSetting {
  value: string;
  name: string;
}

export interface RawIceSettings {
  stun?: RawSetting;
  turn?: RawSetting;
  turnSecret?: RawSetting;
  turnTtl?: RawSetting;
}

/** A STUN/TURN setting that cannot be used; the message names the setting. */
export class IceConfigError extends Error {
  override readonly name = 'IceConfigError';
}

export const DEFAULT_TURN_TTL_SEC = 3600;
/** Below a minute a credential could expire between fetching the page config and dialing. */
export const MIN_TURN_TTL_SEC = 60;
/** A leaked credential works until it expires: a day bounds that. */
export const MAX_TURN_TTL_SEC = 86_400;
/**
 * Every URL is gathered from by every connection attempt, and Firefox warns that more than a few ICE servers
 * slow gathering down; eight of each kind leaves room for redundancy without that cost.
 */
export const MAX_URLS_PER_KIND = 8;
/** Short secrets can be guessed offline from one captured credential (HMAC-SHA1 over a known username). */
const MIN_SECRET_CHARS = 16;

/** RFC 7064 (stun:, stuns:) and RFC 7065 (turn:, turns:, ?transport=udp|tcp): host is a name, IPv4 or [IPv6]. */
const HOST_PORT = String.raw`(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?`;
const STUN_URL = new RegExp(`^stuns?:${HOST_PORT}$`);
const TURN_URL = new RegExp(`^turns?:${HOST_PORT}(?:\\?transport=(?:udp|tcp))?$`);

function parseUrls(setting: RawSetting, pattern: RegExp, example: string): string[] {
  const urls = [...new Set(setting.value.split(',').map((url) => url.trim()).filter((url) => url !== ''))];
  if (urls.length > MAX_URLS_PER_KIND) throw new IceConfigError(`${setting.name} lists ${urls.length} URLs; at most ${MAX_URLS_PER_KIND}`);
  for (const url of urls) {
    const match = pattern.exec(url);
    const port = match?.[1] === undefined ? 1 : Number(match[1]);
    if (!match || port < 1 || port > 65535) throw new IceConfigError(`${setting.name}: '${url}' is not a URL like ${example}`);
  }
  return urls;
}

/** Checks the settings; throws IceConfigError naming the first bad one. */
export function parseIceSettings(raw: RawIceSettings): IceSettings {
  const stunUrls = raw.stun ? parseUrls(raw.stun, STUN_URL, 'stun:host:3478') : [];
  const turnUrls = raw.turn ? parseUrls(raw.turn, TURN_URL, 'turn:host:3478?transport=udp or turns:host:5349') : [];
  let turnTtlSec = DEFAULT_TURN_TTL_SEC;
  if (raw.turnTtl && raw.turnTtl.value !== '') {
    turnTtlSec = Number(raw.turnTtl.value);
    if (!/^\d+$/.test(raw.turnTtl.value) || turnTtlSec < MIN_TURN_TTL_SEC || turnTtlSec > MAX_TURN_TTL_SEC) {
      throw new IceConfigError(`${raw.turnTtl.name}=${raw.turnTtl.value} must be a whole number of seconds from ${MIN_TURN_TTL_SEC} to ${MAX_TURN_TTL_SEC}`);
    }
  }
  const secret = raw.turnSecret?.value;
  if (turnUrls.length > 0) {
    if (secret === undefined || secret === '') throw new IceConfigError(`${raw.turn!.name} needs a TURN secret (TABMESH_TURN_SECRET or --turn-secret: coturn's static-auth-secret) to mint credentials`);
    if (secret.length < MIN_SECRET_CHARS) throw new IceConfigError(`${raw.turnSecret!.name} is too short: use at least ${MIN_SECRET_CHARS} random characters`);
    return { stunUrls, turnUrls, turnSecret: secret, turnTtlSec };
  }
  if (secret !== undefined && secret !== '') throw new IceConfigError(`${raw.turnSecret!.name} is set but no TURN server is (TABMESH_TURN or --turn)`);
  return { stunUrls, turnUrls, turnTtlSec };
}

/** One time-limited TURN credential (TURN REST API, section 2.2). */
export function mintTurnCredential(secret: string, ttlSec: number, nowMs: number, randomId: string): { username: string; credential: string } {
  const username = `${Math.floor(nowMs / 1000) + ttlSec}:${randomId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/** The ICE servers a page gets now: STUN as configured, TURN with a fresh credential. */
export function iceServersFor(settings: IceSettings | undefined, nowMs = Date.now(), randomId = randomBytes(8).toString('hex')): IceServer[] {
  if (!settings) return [];
  const servers: IceServer[] = [];
  if (settings.stunUrls.length > 0) servers.push({ urls: settings.stunUrls });
  if (settings.turnUrls.length > 0 && settings.turnSecret !== undefined) {
    servers.push({ urls: settings.turnUrls, ...mintTurnCredential(settings.turnSecret, settings.turnTtlSec, nowMs, randomId) });
  }
  return servers;
}

/** Answers `GET /config.json`. Never cached: each answer carries a fresh, expiring credential. */
export function serveIceConfig(settings: IceSettings | undefined, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
    res.end('method not allowed\n');
    return;
  }
  const body: PageConfigResponse = { iceServers: iceServersFor(settings) };
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
}
