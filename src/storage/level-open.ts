/**
 * Opening the LevelDB ledger database: the directory, its network marker and
 * schema version (level-schema.ts), and LevelDB's failures turned into
 * StorageErrors that name the directory and say what to do. A database is
 * never reset silently: another network's, a newer schema, damaged files or
 * a lock held by another process each refuse to open, and nothing is written.
 */
import { resolve } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { fromUtf8, utf8 } from '../core/bytes.ts';
import { isValidNetworkName } from '../core/network.ts';
import type { Logger } from '../core/types.ts';
import { LEVEL_SCHEMA_VERSION, ledgerSublevels, putOp, type LedgerSublevels, type LevelRoot } from './level-schema.ts';
import { StorageError, toStorageError } from './storage-error.ts';

/** The operation named by every StorageError of an open. */
export const OPEN_OPERATION = 'open database';

/** An open database and its sublevels. */
export interface OpenLevelDb {
  db: LevelRoot;
  subs: LedgerSublevels;
}

/**
 * Closes still in progress, by resolved directory. LevelDB releases its LOCK
 * only once close() has finished, and LedgerStore.close() cannot be awaited,
 * so an open in the same process waits for a close of the same directory
 * rather than failing as locked.
 */
const closing = new Map<string, Promise<void>>();

/** Registers the close of `path` (it must never reject); an open of `path` waits for it. */
export function trackClose(path: string, done: Promise<void>): void {
  const key = resolve(path);
  const tracked = done.finally(() => {
    if (closing.get(key) === tracked) closing.delete(key);
  });
  closing.set(key, tracked);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A StorageError for a failure of a LevelDB operation on the database at
 * `path`, by abstract-level's error codes (and the cause classic-level gives
 * for a failed open).
 */
export function levelStorageError(operation: string, path: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = errorCode(cause) ?? errorCode(error);
  const detail = errorText(cause ?? error);
  const at = `Could not ${operation} at ${path}`;
  switch (code) {
    case 'LEVEL_LOCKED':
      return new StorageError('unavailable', operation, `${at}: another process holds it, or another store in this process (LevelDB's LOCK: ${detail}). Stop the other tabmesh node that uses this directory, or choose another directory.`, { cause: error });
    case 'LEVEL_CORRUPTION':
      return new StorageError('corrupt', operation, `${at}: its LevelDB files are damaged (${detail}). Restore the directory from a backup, or move it away to start a new database.`, { cause: error });
    case 'LEVEL_IO_ERROR':
      if (/no space left/i.test(detail)) return new StorageError('quota', operation, `${at}: the disk is full (${detail}). Free disk space, then try again.`, { cause: error });
      return new StorageError('unavailable', operation, `${at}: LevelDB could not read or write its files (${detail}). The directory may be unreadable, or its files (CURRENT, MANIFEST-*) damaged.`, { cause: error });
    case 'LEVEL_DATABASE_NOT_OPEN':
      return new StorageError('closed', operation, `${at}: the database is not open (${detail}).`, { cause: error });
    default:
      return toStorageError(`${operation} at ${path}`, error);
  }
}

function damagedMarker(path: string, detail: string): StorageError {
  return new StorageError('corrupt', OPEN_OPERATION, `Could not open database at ${path}: ${detail}. It is not a tabmesh ledger database, or it is damaged; nothing was changed.`);
}

/** Whether `db` holds no record at all (a directory LevelDB has just created). */
async function isEmpty(db: LevelRoot): Promise<boolean> {
  for await (const _key of db.keys({ limit: 1 })) return false;
  return true;
}

/**
 * Checks the network marker and schema version of an open database, writing
 * both (in one batch) when the database is new.
 */
async function checkMarkers(path: string, network: string, db: LevelRoot, subs: LedgerSublevels, log: Logger): Promise<void> {
  const [schemaBytes, networkBytes] = await subs.sys.getMany(['schema', 'network']);
  if (schemaBytes === undefined && networkBytes === undefined) {
    if (!(await isEmpty(db))) throw damagedMarker(path, 'it holds records but no schema record');
    await db.batch([putOp(subs.sys, 'schema', utf8(String(LEVEL_SCHEMA_VERSION))), putOp(subs.sys, 'network', utf8(network))]);
    log.info('created ledger database', { path, network, schema: LEVEL_SCHEMA_VERSION });
    return;
  }
  const schemaText = schemaBytes && fromUtf8(schemaBytes);
  if (schemaText === undefined || !/^[1-9][0-9]{0,8}$/.test(schemaText)) throw damagedMarker(path, 'its schema record is missing or unreadable');
  const schema = Number(schemaText);
  if (schema > LEVEL_SCHEMA_VERSION) {
    throw new StorageError(
      'version',
      OPEN_OPERATION,
      `Could not open database at ${path}: it was written by a newer version of tabmesh (schema ${schema}; this code reads up to ${LEVEL_SCHEMA_VERSION}). Run the newer version.`,
    );
  }
  const stored = networkBytes && fromUtf8(networkBytes);
  if (stored === undefined || !isValidNetworkName(stored)) throw damagedMarker(path, 'its network record is missing or unreadable');
  if (stored !== network) {
    throw new StorageError(
      'conflict',
      OPEN_OPERATION,
      `Could not open database at ${path}: it holds the ledger of network "${stored}", not "${network}". Use another directory for "${network}"; nothing was changed.`,
    );
  }
}

/**
 * Opens (creating when missing) the ledger database in directory `path` for
 * `network`. Rejects with a StorageError naming `path` when it cannot.
 */
export async function openLevelDb(path: string, network: string, log: Logger): Promise<OpenLevelDb> {
  await closing.get(resolve(path));
  const db: LevelRoot = new ClassicLevel<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' });
  try {
    await db.open();
  } catch (error) {
    throw levelStorageError(OPEN_OPERATION, path, error);
  }
  const subs = ledgerSublevels(db);
  try {
    await checkMarkers(path, network, db, subs, log);
  } catch (error) {
    // Refused: release the directory before reporting why.
    await db.close().catch((closeError: unknown) => log.warn('could not close a refused ledger database', { path, error: errorText(closeError) }));
    throw levelStorageError(OPEN_OPERATION, path, error);
  }
  return { db, subs };
}
