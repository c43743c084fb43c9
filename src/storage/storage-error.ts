/**
 * Storage failures, as one typed error whose message a user can act on. The
 * app shows these to the user: a full disk or a database closed by another
 * tab is not a bug, and must not vanish into the console.
 */

export type StorageErrorKind =
  /** The origin's storage quota is used up (QuotaExceededError). */
  | 'quota'
  /** The store was closed: by close(), by a newer version in another tab, or by the browser. */
  | 'closed'
  /** The database on disk is newer than this code (VersionError). */
  | 'version'
  /** The browser refuses storage to this page (private mode, disabled, or broken). */
  | 'unavailable'
  /** The value cannot be stored (DataCloneError, DataError). */
  | 'data'
  /** Stored records contradict each other or do not decode: rebuild the ledger from stored blocks. */
  | 'corrupt'
  /**
   * A chain write does not follow the stored tip (a block that does not extend
   * it, a disconnect of a block that is not the tip): a ledger bug, or a second
   * writer on the same database. Nothing was written.
   */
  | 'conflict'
  | 'unknown';

/** A storage operation failed; `kind` says why and `operation` says what was being done. */
export class StorageError extends Error {
  override readonly name = 'StorageError';

  constructor(
    readonly kind: StorageErrorKind,
    /** What was being done, in words: "save transaction", "open database". */
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function errorName(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string') return (error as { name: string }).name;
  return undefined;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Wraps whatever IndexedDB (or the memory store) threw during `operation` in
 * a StorageError with a clear message. Matching is by DOMException name, the
 * only thing consistent across browsers and fake-indexeddb.
 */
export function toStorageError(operation: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const name = errorName(error);
  const cause = { cause: error };
  switch (name) {
    case 'QuotaExceededError':
      return new StorageError('quota', operation, `Could not ${operation}: browser storage is full. Free disk space or clear old site data, then try again.`, cause);
    case 'VersionError':
      return new StorageError('version', operation, `Could not ${operation}: the saved ledger was written by a newer version of tabmesh. Reload the page to get the newer version.`, cause);
    case 'InvalidStateError':
    case 'TransactionInactiveError':
      return new StorageError('closed', operation, `Could not ${operation}: the database connection is closed (${name}: ${errorMessage(error)}). Reload the page.`, cause);
    case 'DataCloneError':
    case 'DataError':
      return new StorageError('data', operation, `Could not ${operation}: the value cannot be stored (${name}: ${errorMessage(error)}).`, cause);
    case 'SecurityError':
    case 'UnknownError':
    case 'NotAllowedError':
      return new StorageError(
        'unavailable',
        operation,
        `Could not ${operation}: browser storage is unavailable (${name}: ${errorMessage(error)}). Private browsing or site settings may block it.`,
        cause,
      );
    default:
      return new StorageError('unknown', operation, `Could not ${operation}: ${name ?? 'error'}: ${errorMessage(error)}`, cause);
  }
}

/** The error every operation on a closed store throws, with the reason it was closed. */
export function closedStoreError(operation: string, reason: string): StorageError {
  return new StorageError('closed', operation, `Could not ${operation}: ${reason}`);
}
