/**
 * --ice-servers: a JSON list of STUN/TURN servers in RTCIceServer's shape.
 * Checked field by field here, so a typo fails at start with a message
 * naming the entry rather than as a silent ICE failure minutes later.
 */
import { describeValue } from '../src/core/describe-value.ts';

/** RTCIceServer's fields that a node can use (structurally an RTCIceServer). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/**
 * Bounds on the flag's value. A deployment names one STUN and a few TURN
 * servers; every server is tried on every link, so a long list only slows
 * ICE gathering.
 */
const MAX_JSON_CHARS = 8 * 1024;
const MAX_SERVERS = 8;
const MAX_URLS_PER_SERVER = 8;
const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/;
const KNOWN_FIELDS = new Set(['urls', 'username', 'credential']);

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function checkServer(entry: unknown, index: number): Parsed<IceServer> {
  const where = `[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { ok: false, error: `${where} must be an object with urls` };
  const record = entry as Record<string, unknown>;
  const unknown = Object.keys(record).find((key) => !KNOWN_FIELDS.has(key));
  if (unknown !== undefined) return { ok: false, error: `${where}.${unknown} is not an RTCIceServer field (urls, username, credential)` };
  const urls = typeof record.urls === 'string' ? [record.urls] : record.urls;
  if (!Array.isArray(urls) || urls.length === 0 || urls.length > MAX_URLS_PER_SERVER) {
    return { ok: false, error: `${where}.urls must be a URL or a list of 1-${MAX_URLS_PER_SERVER} URLs` };
  }
  for (const url of urls) {
    if (typeof url !== 'string' || !ICE_URL.test(url)) return { ok: false, error: `${where}.urls: ${typeof url === 'string' ? `'${url.slice(0, 80)}'` : describeValue(url)} is not a stun:, stuns:, turn: or turns: URL` };
  }
  for (const field of ['username', 'credential'] as const) {
    if (record[field] !== undefined && typeof record[field] !== 'string') return { ok: false, error: `${where}.${field} must be a string` };
  }
  // RTCPeerConnection throws for a TURN URL without both (as the page's check in src/app/ice-config.ts says):
  // refused here, at start, rather than on every dial.
  if ((urls as string[]).some((url) => url.startsWith('turn')) && (typeof record.username !== 'string' || typeof record.credential !== 'string')) {
    return { ok: false, error: `${where} is a TURN server without username and credential` };
  }
  return { ok: true, value: record as unknown as IceServer };
}

/** Parses and checks the flag's JSON; the error names the entry and field. */
export function parseIceServers(json: string): Parsed<IceServer[]> {
  if (json.length > MAX_JSON_CHARS) return { ok: false, error: `longer than ${MAX_JSON_CHARS} characters` };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, error: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!Array.isArray(value)) return { ok: false, error: 'must be a JSON array of {urls, username?, credential?}' };
  if (value.length > MAX_SERVERS) return { ok: false, error: `${value.length} servers, limit ${MAX_SERVERS}` };
  const servers: IceServer[] = [];
  for (let i = 0; i < value.length; i++) {
    const checked = checkServer(value[i], i);
    if (!checked.ok) return checked;
    servers.push(checked.value);
  }
  return { ok: true, value: servers };
}
