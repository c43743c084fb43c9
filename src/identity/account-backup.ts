/**
 * The account backup file (docs/SECURITY.md, "Account backup"): versioned
 * JSON whose secret part (the key's 32-byte seed and its identity stamp) is
 * sealed with AES-GCM under a key derived from a passphrase with
 * PBKDF2-SHA256, both through WebCrypto.
 *
 * Every clear field (the header) is the cipher's additional data, so
 * changing any of them, or a byte of the ciphertext, fails decryption as a
 * wrong passphrase does. AES-GCM cannot tell the two apart, and the error
 * says so.
 */
import { fromHex, isHexOfLength, toHex, utf8 } from '../core/bytes.ts';
import { describeValue } from '../core/describe-value.ts';
import { isValidNetworkName } from '../core/network.ts';

export const BACKUP_MAGIC = 'tabmesh-account-backup';
export const BACKUP_VERSION = 1;
/**
 * OWASP's Password Storage Cheat Sheet (2023 onwards) asks 600,000
 * iterations of PBKDF2-HMAC-SHA256. A file asking fewer is refused; one
 * asking more than 10x is refused too, so a crafted file cannot hang a tab.
 */
export const PBKDF2_ITERATIONS = 600_000;
const MAX_PBKDF2_ITERATIONS = 10 * PBKDF2_ITERATIONS;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const SEED_BYTES = 32;
/** The file is a few hundred bytes; anything much larger is not one. */
const MAX_BACKUP_CHARS = 4_096;
const MAX_LABEL_CHARS = 64;

export interface BackupHeader {
  magic: typeof BACKUP_MAGIC;
  version: typeof BACKUP_VERSION;
  network: string;
  /** The account id (hex Ed25519 public key), in the clear so a person can see which account a file holds. */
  id: string;
  label: string;
  createdAt: number;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  cipher: { name: 'AES-GCM'; iv: string };
}

/** What the ciphertext holds. */
export interface BackupSecrets {
  seed: Uint8Array;
  /** The identity stamp (core/identity-stamp.ts), so an import does not mint again; undefined if none was kept. */
  stamp: number | undefined;
}

export type BackupRejectReason = 'not-a-backup' | 'unsupported-version' | 'wrong-passphrase-or-tampered';
export type BackupResult<T> = { ok: true; value: T } | { ok: false; reason: BackupRejectReason; detail: string };

export interface EncryptBackupInit {
  network: string;
  id: string;
  label: string;
  createdAt: number;
  /** Default PBKDF2_ITERATIONS. */
  iterations?: number;
}

const fail = (reason: BackupRejectReason, detail: string) => ({ ok: false as const, reason, detail });

/** The additional data: the header's fields in a fixed order, so a parse and re-encode cannot shift it. */
function additionalData(header: BackupHeader): Uint8Array<ArrayBuffer> {
  const { magic, version, network, id, label, createdAt, kdf, cipher } = header;
  return utf8(JSON.stringify([magic, version, network, id, label, createdAt, kdf.name, kdf.hash, kdf.iterations, kdf.salt, cipher.name, cipher.iv])) as Uint8Array<ArrayBuffer>;
}

async function deriveKey(subtle: SubtleCrypto, passphrase: string, salt: Uint8Array, iterations: number, usage: KeyUsage): Promise<CryptoKey> {
  const base = await subtle.importKey('raw', utf8(passphrase.normalize('NFC')) as Uint8Array<ArrayBuffer>, 'PBKDF2', false, ['deriveKey']);
  return subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations }, base, { name: 'AES-GCM', length: 256 }, false, [usage]);
}

/** Seals `secrets` under `passphrase` and returns the file's text. */
export async function encryptBackup(secrets: BackupSecrets, passphrase: string, init: EncryptBackupInit, subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<string> {
  if (secrets.seed.length !== SEED_BYTES) throw new RangeError(`seed must be ${SEED_BYTES} bytes`);
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const iterations = init.iterations ?? PBKDF2_ITERATIONS;
  const header: BackupHeader = {
    magic: BACKUP_MAGIC, version: BACKUP_VERSION, network: init.network, id: init.id, label: init.label.slice(0, MAX_LABEL_CHARS), createdAt: init.createdAt,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toHex(salt) },
    cipher: { name: 'AES-GCM', iv: toHex(iv) },
  };
  const key = await deriveKey(subtle, passphrase, salt, iterations, 'encrypt');
  const plaintext = utf8(JSON.stringify({ seed: toHex(secrets.seed), stamp: secrets.stamp ?? null })) as Uint8Array<ArrayBuffer>;
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(header) }, key, plaintext));
  plaintext.fill(0);
  return `${JSON.stringify({ ...header, ciphertext: toHex(ciphertext) }, null, 2)}\n`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isHex = (value: unknown, bytes?: number): value is string => typeof value === 'string' && (bytes === undefined ? value.length % 2 === 0 && fromHex(value) !== undefined : isHexOfLength(value, bytes));

/** Parses the clear part of a file: its header and ciphertext, or why it is not a backup this version reads. */
export function parseBackup(text: unknown): BackupResult<{ header: BackupHeader; ciphertext: Uint8Array }> {
  if (typeof text !== 'string' || text.length > MAX_BACKUP_CHARS) return fail('not-a-backup', `a backup is text of at most ${MAX_BACKUP_CHARS} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail('not-a-backup', `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isRecord(parsed) || parsed.magic !== BACKUP_MAGIC) return fail('not-a-backup', `not a tabmesh account backup (no "magic": "${BACKUP_MAGIC}")`);
  if (parsed.version !== BACKUP_VERSION) return fail('unsupported-version', `backup version ${describeValue(parsed.version)} is not supported (this page reads version ${BACKUP_VERSION})`);
  const { network, id, label, createdAt, kdf, cipher, ciphertext } = parsed;
  if (!isValidNetworkName(network)) return fail('not-a-backup', 'backup: "network" is not a network name');
  if (!isHex(id, 32)) return fail('not-a-backup', 'backup: "id" must be 64 lower-case hex characters');
  if (typeof label !== 'string' || label.length > MAX_LABEL_CHARS) return fail('not-a-backup', `backup: "label" must be text of at most ${MAX_LABEL_CHARS} characters`);
  if (!Number.isSafeInteger(createdAt) || (createdAt as number) < 0) return fail('not-a-backup', 'backup: "createdAt" must be a time in ms');
  if (!isRecord(kdf) || kdf.name !== 'PBKDF2' || kdf.hash !== 'SHA-256') return fail('unsupported-version', 'backup: only "kdf" PBKDF2 with SHA-256 is supported');
  const iterations = kdf.iterations;
  if (!Number.isSafeInteger(iterations) || (iterations as number) < PBKDF2_ITERATIONS || (iterations as number) > MAX_PBKDF2_ITERATIONS) {
    return fail('not-a-backup', `backup: "kdf.iterations" must be ${PBKDF2_ITERATIONS}..${MAX_PBKDF2_ITERATIONS}`);
  }
  if (!isHex(kdf.salt, SALT_BYTES)) return fail('not-a-backup', `backup: "kdf.salt" must be ${SALT_BYTES} bytes of hex`);
  if (!isRecord(cipher) || cipher.name !== 'AES-GCM') return fail('unsupported-version', 'backup: only "cipher" AES-GCM is supported');
  if (!isHex(cipher.iv, IV_BYTES)) return fail('not-a-backup', `backup: "cipher.iv" must be ${IV_BYTES} bytes of hex`);
  if (!isHex(ciphertext) || ciphertext.length === 0) return fail('not-a-backup', 'backup: "ciphertext" must be hex');
  const header: BackupHeader = {
    magic: BACKUP_MAGIC, version: BACKUP_VERSION, network, id, label, createdAt: createdAt as number,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: iterations as number, salt: kdf.salt },
    cipher: { name: 'AES-GCM', iv: cipher.iv },
  };
  return { ok: true, value: { header, ciphertext: fromHex(ciphertext)! } };
}

/** Opens a backup: its header and secrets, or why not (a wrong passphrase and a tampered file look the same to AES-GCM). */
export async function decryptBackup(text: unknown, passphrase: string, subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<BackupResult<{ header: BackupHeader } & BackupSecrets>> {
  const parsed = parseBackup(text);
  if (!parsed.ok) return parsed;
  const { header, ciphertext } = parsed.value;
  const key = await deriveKey(subtle, passphrase, fromHex(header.kdf.salt)!, header.kdf.iterations, 'decrypt');
  let plaintext: Uint8Array;
  try {
    plaintext = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: fromHex(header.cipher.iv)! as Uint8Array<ArrayBuffer>, additionalData: additionalData(header) }, key, ciphertext as Uint8Array<ArrayBuffer>));
  } catch (error) {
    // OperationError is AES-GCM's tag mismatch; anything else is a fault of the runtime, not of the file.
    if (!(error instanceof DOMException) || error.name !== 'OperationError') throw error;
    return fail('wrong-passphrase-or-tampered', 'wrong passphrase, or the file was altered: nothing was imported');
  }
  // The tag proved these bytes are what the file's writer sealed; a bad shape here is a writer's bug, named as such.
  let secrets: unknown;
  try {
    secrets = JSON.parse(new TextDecoder().decode(plaintext));
  } catch (error) {
    return fail('not-a-backup', `backup: the sealed part is not JSON (a file from a faulty writer): ${String(error)}`);
  } finally {
    plaintext.fill(0);
  }
  if (!isRecord(secrets) || !isHex(secrets.seed, SEED_BYTES) || !(secrets.stamp === null || Number.isSafeInteger(secrets.stamp))) {
    return fail('not-a-backup', 'backup: the sealed part is not a seed and stamp (a file from a faulty writer)');
  }
  return { ok: true, value: { header, seed: fromHex(secrets.seed)!, stamp: secrets.stamp === null ? undefined : (secrets.stamp as number) } };
}
