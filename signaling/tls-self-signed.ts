/**
 * `npm start -- --https`: a self-signed certificate for testing on a LAN, so
 * that a tab opened from another machine is a secure context (WebCrypto and
 * Web Locks exist only there).
 *
 * The certificate is generated with the npm package `selfsigned` (pinned in
 * package.json). Why it and not the `openssl` binary: it is pure JavaScript
 * over WebCrypto (@peculiar/x509, pkijs), has no install script and downloads
 * nothing, so `--https` works the same on machines without openssl (Windows,
 * slim containers); and it is widely used (webpack-dev-server's certificates)
 * and maintained. Node has no X.509 *writing* API of its own (only reading:
 * crypto.X509Certificate, which checks what we load and reuse).
 *
 * It is kept in a data folder and reused until it is near its expiry or no
 * longer names one of this machine's addresses, so a browser's "accept this
 * certificate" exception (tied to the fingerprint) survives restarts.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { checkTlsPem, type TlsCredentials, TlsFileError, loadTlsFiles } from './tls-files.ts';

/** A year: long enough not to bother a tester; browsers accept any validity for a certificate trusted by hand. */
const VALIDITY_DAYS = 365;
/** Renewed a day before expiry, so a server started just before never serves an expired certificate for long. */
const RENEW_BEFORE_MS = 24 * 3600 * 1000;
const CERT_FILE = 'cert.pem';
const KEY_FILE = 'key.pem';

export interface SelfSignedInit {
  /** Where cert.pem and key.pem are kept (created with mode 0700). */
  dir: string;
  /** Names and addresses the certificate must cover; default: localhost, 127.0.0.1 and this machine's non-internal IPv4 addresses. */
  hosts?: { dns: string[]; ips: string[] };
  now?: Date;
}

export interface SelfSignedCert {
  credentials: TlsCredentials;
  certFile: string;
  keyFile: string;
  /** Why it was (re)made, or 'reused'. */
  origin: 'reused' | 'created' | 'renewed';
  /** When renewed: what was wrong with the old one. */
  renewReason?: string;
}

/** localhost, 127.0.0.1 and every non-internal IPv4 address of this machine (what LAN testers type). */
export function defaultHosts(): { dns: string[]; ips: string[] } {
  const lan = Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => address.family === 'IPv4' && !address.internal)
    .map((address) => address.address);
  return { dns: ['localhost'], ips: [...new Set(['127.0.0.1', ...lan])] };
}

/** Why an existing certificate cannot be reused, or undefined when it can. */
function staleReason(credentials: TlsCredentials, hosts: { dns: string[]; ips: string[] }, now: Date): string | undefined {
  if (credentials.validTo.getTime() - now.getTime() < RENEW_BEFORE_MS) return `it expires on ${credentials.validTo.toISOString()}`;
  const x509 = new X509Certificate(credentials.cert);
  const missing = [...hosts.dns.filter((name) => x509.checkHost(name) === undefined), ...hosts.ips.filter((ip) => x509.checkIP(ip) === undefined)];
  return missing.length > 0 ? `it does not name ${missing.join(', ')}` : undefined;
}

/** Writes through a temporary file and a rename, so a crash never leaves half a PEM behind. */
function writeAtomic(file: string, text: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  renameSync(temporary, file);
}

/** Loads the kept certificate if it is still good, else generates (and keeps) a new one. */
export async function ensureSelfSignedCert(init: SelfSignedInit): Promise<SelfSignedCert> {
  const now = init.now ?? new Date();
  const hosts = init.hosts ?? defaultHosts();
  const dir = path.resolve(init.dir);
  const certFile = path.join(dir, CERT_FILE);
  const keyFile = path.join(dir, KEY_FILE);
  let renewReason: string | undefined;
  if (existsSync(certFile) || existsSync(keyFile)) {
    try {
      const kept = loadTlsFiles(certFile, keyFile, now);
      renewReason = staleReason(kept, hosts, now);
      if (renewReason === undefined) return { credentials: kept, certFile, keyFile, origin: 'reused' };
    } catch (error) {
      // Our own folder: a damaged or expired pair is replaced, and the reason is reported.
      if (!(error instanceof TlsFileError)) throw error;
      renewReason = error.message;
    }
  }
  const notAfterDate = new Date(now.getTime() + VALIDITY_DAYS * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'tabmesh self-signed (LAN testing)' }], {
    keyType: 'ec', // P-256: fast to make, and every browser accepts it
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...hosts.dns.map((value) => ({ type: 2 as const, value })), ...hosts.ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeAtomic(keyFile, pems.private, 0o600);
  writeAtomic(certFile, pems.cert, 0o644);
  const credentials = checkTlsPem(pems.cert, pems.private, { cert: certFile, key: keyFile }, now);
  return { credentials, certFile, keyFile, origin: renewReason === undefined ? 'created' : 'renewed', renewReason };
}
