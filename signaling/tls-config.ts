/**
 * Picks the server's TLS setup from flags and environment (signaling/bin/serve.ts):
 *   --tls-cert FILE --tls-key FILE, or TLS_CERT / TLS_KEY: the operator's certificate;
 *   --https: a self-signed certificate kept in TABMESH_TLS_DIR (default data/tls/);
 *   neither: plain HTTP (what a reverse proxy that terminates TLS wants).
 */
import type { RawSetting } from './ice-servers.ts';
import { loadTlsFiles, TlsFileError, type TlsCredentials } from './tls-files.ts';
import { ensureSelfSignedCert } from './tls-self-signed.ts';

export interface TlsChoice {
  cert?: RawSetting;
  key?: RawSetting;
  /** --https */
  selfSigned: boolean;
  /** Where --https keeps its certificate. */
  dir: string;
}

export interface TlsSetup {
  credentials: TlsCredentials;
  /** The certificate's file, for local clients (the seed node) that must trust it. */
  certFile: string;
  /** Lines for the operator: where the certificate came from, and its fingerprint. */
  notes: string[];
}

/** Loads or makes the certificate; undefined means plain HTTP. Throws TlsFileError with a one-line reason. */
export async function resolveTls(choice: TlsChoice): Promise<TlsSetup | undefined> {
  const cert = choice.cert?.value ? choice.cert : undefined;
  const key = choice.key?.value ? choice.key : undefined;
  if (choice.selfSigned && (cert || key)) {
    throw new TlsFileError(`--https makes its own certificate: drop ${(cert ?? key)!.name}, or drop --https`);
  }
  if (cert && !key) throw new TlsFileError(`${cert.name} is set but no key is: set TLS_KEY or --tls-key too`);
  if (key && !cert) throw new TlsFileError(`${key.name} is set but no certificate is: set TLS_CERT or --tls-cert too`);
  if (cert && key) {
    const credentials = loadTlsFiles(cert.value, key.value);
    return { credentials, certFile: cert.value, notes: [`TLS certificate ${cert.value}, valid until ${credentials.validTo.toISOString()}`] };
  }
  if (!choice.selfSigned) return undefined;
  const made = await ensureSelfSignedCert({ dir: choice.dir }).catch((error: unknown) => {
    if (error instanceof TlsFileError) throw error;
    // mkdir/write failures (a read-only or foreign folder) are one-line operator errors too.
    throw new TlsFileError(`cannot keep the self-signed certificate in ${choice.dir}: ${error instanceof Error ? error.message : String(error)}`);
  });
  const how = made.origin === 'reused' ? 'reusing the' : made.origin === 'created' ? 'created a' : `renewed the (${made.renewReason})`;
  return {
    credentials: made.credentials,
    certFile: made.certFile,
    notes: [
      `${how} self-signed certificate ${made.certFile}, valid until ${made.credentials.validTo.toISOString()}`,
      `certificate SHA-256 fingerprint ${made.credentials.fingerprint256}`,
      'browsers warn about a self-signed certificate: check the fingerprint above before accepting it',
    ],
  };
}
