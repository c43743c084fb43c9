/**
 * The full node's identity: an Ed25519 key kept in DIR/identity.key (format
 * in key-file-format.ts), made on first start and read on every later one,
 * so the node's id (its hex public key, also its account) survives restarts.
 *
 * Permissions: the file is created with mode 0600 in a 0700 directory. A key
 * file that group or others may read or write is refused with an error, not
 * a warning, as ssh refuses an unprotected private key: anyone who read it
 * can spend the node's funds, and a warning scrolls past in a service log.
 * (Windows has no such mode bits, so the check is skipped there.)
 *
 * Crash safety: the key is written to a temporary file, flushed, then
 * hard-linked to its final name. link(2), unlike rename(2), fails when the
 * name exists, so two nodes starting at once on one directory cannot
 * overwrite each other's new key; the loser reads the winner's. A crash
 * leaves at most a stray temporary file, never half a key.
 *
 * Identity stamp (docs/PROTOCOL.md, "Identity stamp"): minted with the key,
 * at main's difficulty unless told otherwise (a stamp that meets main's bits
 * meets every network's), and stored in the file. A file from before stamps,
 * or whose stamp falls short of the bits asked, gets one minted at start
 * (~1.3 s at 20 bits, key-file-stamp.ts) and is written again: a new
 * temporary file (0600) renamed over it, so a crash leaves the old file or
 * the new one, both holding the same key.
 *
 * Signing: the seed is imported into WebCrypto as a non-extractable PKCS8
 * CryptoKey (createSigner's 'webcrypto' KeyMaterial), so after start-up the
 * key bytes are no longer held by JavaScript; where Node lacks WebCrypto
 * Ed25519, @noble/ed25519 signs with the raw seed ('noble' KeyMaterial).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { concatBytes, equalBytes, toHex, utf8 } from '../src/core/bytes.ts';
import { checkIdentityStamp } from '../src/core/identity-stamp.ts';
import { MAIN_PARAMS } from '../src/core/ledger/params.ts';
import type { Signer } from '../src/core/types.ts';
import { nobleKeypair, nobleSign } from '../src/crypto/ed25519.ts';
import { createSigner, type KeyMaterial } from '../src/identity/key-material.ts';
import { encodeKeyFile, MAX_KEY_FILE_BYTES, parseKeyFile, type IdentitySeed } from './key-file-format.ts';
import { mintIdentityStampNative } from './key-file-stamp.ts';

export const KEY_FILE_NAME = 'identity.key';

/** A key file that cannot be used; the message starts with its path. */
export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
  constructor(
    readonly path: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`${path} ${problem}`, options);
  }
}

export interface LoadedIdentity {
  signer: Signer;
  /** True when this call made the key (first start). */
  created: boolean;
  /** True when this call minted the identity stamp (first start, or a file from before stamps). */
  stampMinted: boolean;
  /** The key file's path. */
  path: string;
  /** Which implementation signs. */
  backend: 'webcrypto' | 'noble';
  /** Why WebCrypto was not used, when backend is 'noble'. */
  fallbackReason?: string;
}

export interface IdentityInit {
  /** The SubtleCrypto to sign with; null forces the noble fallback (tests). Default globalThis.crypto.subtle. */
  subtle?: SubtleCrypto | null;
  /** Work the identity stamp must show. Default main's identityStampBits, which every network accepts. */
  stampBits?: number;
}

/** RFC 8410 section 7: PKCS#8 PrivateKeyInfo for Ed25519 is this fixed header, then the 32-byte seed. */
const PKCS8_ED25519_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
/** Signed once at start-up to check the WebCrypto key; domain-separated so the signature means nothing elsewhere. */
const SELF_CHECK_MESSAGE = utf8('tabmesh/key-file-self-check/v1');
/** Link failures that mean "this file system has no hard links" (FAT, some network mounts): fall back to rename. */
const NO_LINK_CODES = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

const errnoCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Reads and checks an existing key file; undefined when there is none. */
async function readKeyFile(path: string): Promise<IdentitySeed | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new KeyFileError(path, `cannot be opened: ${String(error)}`, { cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new KeyFileError(path, 'is not a regular file');
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new KeyFileError(path, `is accessible to other users (mode ${mode}); a secret key must be private: run chmod 600 ${path}`);
    }
    if (stat.size > MAX_KEY_FILE_BYTES) throw new KeyFileError(path, `is ${stat.size} bytes, larger than any identity file (${MAX_KEY_FILE_BYTES})`);
    const parsed = parseKeyFile(await handle.readFile('utf8'));
    if (!parsed.ok) throw new KeyFileError(path, parsed.error);
    return parsed.value;
  } finally {
    await handle.close();
  }
}

/** Makes the directory's entries durable (the new name), where the OS can. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Windows cannot fsync a directory (EPERM/EISDIR); the file itself was
    // already synced, which is the part that must not be half-written.
    if (!['EPERM', 'EISDIR', 'EINVAL'].includes(errnoCode(error) ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

/** Writes `text` to a new private temporary file beside the key and flushes it; returns its path. */
async function writeTemporary(dir: string, text: string): Promise<string> {
  const temp = join(dir, `${KEY_FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/** Writes a new key file; false when another process created one first. */
async function createKeyFile(dir: string, path: string, text: string): Promise<boolean> {
  const temp = await writeTemporary(dir, text);
  let won = true;
  try {
    await link(temp, path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') won = false;
    else if (code !== undefined && NO_LINK_CODES.has(code)) await rename(temp, path);
    else throw new KeyFileError(path, `cannot be created: ${String(error)}`, { cause: error });
  } finally {
    await unlink(temp).catch((error: unknown) => {
      if (errnoCode(error) !== 'ENOENT') throw error; // ENOENT: rename already moved it
    });
  }
  await syncDirectory(dir);
  return won;
}

/** Replaces the key file with `text` (the same key with its stamp): rename(2) over it is atomic. */
async function rewriteKeyFile(dir: string, path: string, text: string): Promise<void> {
  const temp = await writeTemporary(dir, text);
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined); // best effort: the error below is what matters
    throw new KeyFileError(path, `cannot be rewritten with its identity stamp: ${String(error)}`, { cause: error });
  }
  await syncDirectory(dir);
}

async function webCryptoSigner(key: IdentitySeed, identityStamp: number, subtle: SubtleCrypto): Promise<Signer> {
  const pkcs8 = concatBytes(PKCS8_ED25519_PREFIX, key.seed) as Uint8Array<ArrayBuffer>;
  try {
    const privateKey = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
    const material: KeyMaterial = { kind: 'webcrypto', privateKey, publicKey: key.publicKey };
    return createSigner(material, identityStamp, subtle);
  } finally {
    pkcs8.fill(0); // the import copied it; this copy is not needed
  }
}

/**
 * The signer for `key`: WebCrypto when it imports the key and signs exactly
 * as RFC 8032 does (Ed25519 is deterministic, so its signature must equal
 * noble's byte for byte; a mismatch would mean the CryptoKey is not this id's
 * key), otherwise noble.
 */
async function signerFor(key: IdentitySeed, identityStamp: number, subtle: SubtleCrypto | null): Promise<Pick<LoadedIdentity, 'signer' | 'backend' | 'fallbackReason'>> {
  let fallbackReason = 'crypto.subtle is not available';
  if (subtle) {
    try {
      const signer = await webCryptoSigner(key, identityStamp, subtle);
      if (equalBytes(await signer.sign(SELF_CHECK_MESSAGE), nobleSign(key.seed, SELF_CHECK_MESSAGE))) return { signer, backend: 'webcrypto' };
      fallbackReason = 'WebCrypto Ed25519 signed differently from RFC 8032';
    } catch (error) {
      // NotSupportedError (DOMException) or TypeError: this Node has no WebCrypto Ed25519.
      if (!(error instanceof DOMException) && !(error instanceof TypeError)) throw error;
      fallbackReason = `WebCrypto Ed25519 is unavailable: ${error.name}: ${error.message}`;
    }
  }
  const material: KeyMaterial = { kind: 'noble', secretKey: key.seed, publicKey: key.publicKey };
  return { signer: createSigner(material, identityStamp), backend: 'noble', fallbackReason };
}

/**
 * Loads the node's identity from DIR/identity.key, creating the directory
 * (0700) and the key (0600) with its stamp on first start, and minting the
 * stamp of a file that lacks one. Throws KeyFileError, naming the path, for a
 * key file that is unreadable, damaged or not private.
 */
export async function loadOrCreateIdentity(dir: string, init: IdentityInit = {}): Promise<LoadedIdentity> {
  const path = join(dir, KEY_FILE_NAME);
  const subtle = init.subtle === undefined ? (globalThis.crypto?.subtle ?? null) : init.subtle;
  const stampBits = init.stampBits ?? MAIN_PARAMS.identityStampBits;
  let key = await readKeyFile(path);
  let created = false;
  let stampMinted = false;
  if (!key) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const fresh = globalThis.crypto.getRandomValues(new Uint8Array(32));
    try {
      const stamp = mintIdentityStampNative(nobleKeypair(fresh).publicKey, stampBits);
      created = await createKeyFile(dir, path, encodeKeyFile(fresh, stamp));
      stampMinted = created;
    } finally {
      fresh.fill(0); // what counts is the file, read back and checked below
    }
    key = await readKeyFile(path);
    if (!key) throw new KeyFileError(path, 'vanished right after it was written');
  }
  if (key.identityStamp === undefined || !checkIdentityStamp(toHex(key.publicKey), key.identityStamp, stampBits).ok) {
    key.identityStamp = mintIdentityStampNative(key.publicKey, stampBits);
    await rewriteKeyFile(dir, path, encodeKeyFile(key.seed, key.identityStamp));
    stampMinted = true;
  }
  const signing = await signerFor(key, key.identityStamp, subtle);
  if (signing.backend === 'webcrypto') key.seed.fill(0); // the CryptoKey holds it now
  return { ...signing, created, stampMinted, path };
}
