/**
 * A certificate and key for HTTPS/WSS, read and checked at start so that a
 * bad file stops the server with a message naming that file, rather than a
 * TLS handshake failing later in every browser.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** PEM text for node:https, and what the operator is shown. */
export interface TlsCredentials {
  cert: string;
  key: string;
  /** SHA-256 of the certificate (DER), colon-separated hex, as browsers show it. */
  fingerprint256: string;
  validTo: Date;
}

/** A certificate or key file that cannot be used; the message names the file. */
export class TlsFileError extends Error {
  override readonly name = 'TlsFileError';
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TlsFileError(`cannot read the TLS ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : String(error)}`);
  }
}

/**
 * Parses PEM text into credentials; `names` label the sources in errors.
 * Throws TlsFileError for unparsable PEM, a key that does not belong to the
 * certificate, or a certificate that has expired at `now`.
 */
export function checkTlsPem(cert: string, key: string, names: { cert: string; key: string }, now = new Date()): TlsCredentials {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new TlsFileError(`the TLS certificate ${names.cert} is not a PEM certificate: ${(error as Error).message}`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new TlsFileError(`the TLS key ${names.key} is not a PEM private key: ${(error as Error).message}`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new TlsFileError(`the TLS key ${names.key} does not belong to the certificate ${names.cert}`);
  const validTo = new Date(x509.validTo);
  if (validTo.getTime() <= now.getTime()) throw new TlsFileError(`the TLS certificate ${names.cert} expired on ${validTo.toISOString()}`);
  return { cert, key, fingerprint256: x509.fingerprint256, validTo };
}

/** Reads and checks a certificate file and its key file; throws TlsFileError naming the bad file. */
export function loadTlsFiles(certFile: string, keyFile: string, now = new Date()): TlsCredentials {
  return checkTlsPem(readText(certFile, 'certificate'), readText(keyFile, 'key'), { cert: certFile, key: keyFile }, now);
}
