/**
 * The RPC cookie, DIR/.cookie (as bitcoind's): written by the server when it
 * starts listening, read by tabmesh-cli, deleted when the server closes.
 * One line of JSON, version 1:
 *
 *   {"version":1,"host":"127.0.0.1","port":8645,"token":"<64 hex>"}
 *
 * The port sits beside the token, in the same file, so a client never pairs
 * one server's port with another's token, and `--rpc-port 0` works: the CLI
 * learns the port the OS chose. The token is 32 random bytes, new on every
 * start, so a leaked token dies with the process. The file is mode 0600:
 * whoever can read it can spend the node's funds, and that is exactly the
 * user who can already read DIR/identity.key. With curl:
 *
 *   curl -H "Authorization: Bearer $(jq -r .token DIR/.cookie)" http://127.0.0.1:$(jq .port DIR/.cookie)/status
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describeValue } from '../src/core/describe-value.ts';
import { HEX_ID } from './rpc-api.ts';

export const COOKIE_FILE_NAME = '.cookie';
const COOKIE_VERSION = 1;
/** A version 1 cookie is about 120 bytes. */
const MAX_COOKIE_BYTES = 1024;

/** Where a server listens and the token it wants. */
export interface RpcCookie {
  host: '127.0.0.1';
  port: number;
  token: string;
}

export type CookieRead = { ok: true; cookie: RpcCookie } | { ok: false; missing: boolean; error: string };

/** DIR/.cookie for a data directory. */
export function cookiePathFor(dataDir: string): string {
  return join(dataDir, COOKIE_FILE_NAME);
}

/** A fresh random token: 32 bytes as 64 lower-case hex characters. */
export function createToken(): string {
  return randomBytes(32).toString('hex');
}

export function encodeCookie(cookie: RpcCookie): string {
  return `${JSON.stringify({ version: COOKIE_VERSION, host: cookie.host, port: cookie.port, token: cookie.token })}\n`;
}

/** Parses a cookie file's text; errors never quote the token. */
export function parseCookie(text: string): { ok: true; cookie: RpcCookie } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { ok: false, error: 'is not a tabmesh RPC cookie (not JSON)' };
  }
  if (typeof value !== 'object' || value === null) return { ok: false, error: 'is not a tabmesh RPC cookie (not a JSON object)' };
  const { version, host, port, token } = value as Record<string, unknown>;
  if (version !== COOKIE_VERSION) return { ok: false, error: `has cookie version ${describeValue(version)}; this program reads version ${COOKIE_VERSION}` };
  if (host !== '127.0.0.1') return { ok: false, error: 'names a host other than 127.0.0.1' };
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, error: 'has no valid port' };
  if (typeof token !== 'string' || !HEX_ID.test(token)) return { ok: false, error: 'has no valid token' };
  return { ok: true, cookie: { host, port, token } };
}

/** Writes the cookie with mode 0600 via a temporary file, so a reader never sees half of it. */
export async function writeCookie(path: string, cookie: RpcCookie): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(encodeCookie(cookie), 'utf8');
  } finally {
    await handle.close();
  }
  // rename replaces a stale cookie left by a node that crashed.
  await rename(temp, path);
}

/** Reads DIR/.cookie; `missing` tells "the node is not running" apart from a damaged file. */
export async function readCookie(path: string): Promise<CookieRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, missing: true, error: `${path} does not exist: is the node running with this --data directory?` };
    return { ok: false, missing: false, error: `${path} cannot be read: ${(error as Error).message}` };
  }
  if (text.length > MAX_COOKIE_BYTES) return { ok: false, missing: false, error: `${path} is too large to be an RPC cookie` };
  const parsed = parseCookie(text);
  return parsed.ok ? parsed : { ok: false, missing: false, error: `${path} ${parsed.error}` };
}

/**
 * Deletes the cookie if it still holds `token`: if another node has since
 * started on this directory and written its own, that one stays.
 */
export async function removeCookie(path: string, token: string): Promise<void> {
  const current = await readCookie(path);
  if (!current.ok || current.cookie.token !== token) return;
  await unlink(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // already gone is what we wanted
  });
}
