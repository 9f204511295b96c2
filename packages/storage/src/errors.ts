// StorageError: the one error class of @sealpost/storage, with a stable SCREAMING_SNAKE `code`.
// `translateSqliteError` maps better-sqlite3's SqliteError codes (SQLITE_BUSY, SQLITE_FULL,
// SQLITE_CONSTRAINT_*, ...) to these codes and keeps the original error as `cause`.

export type StorageErrorCode =
  // The database file itself.
  | 'DATABASE_OPEN_FAILED'
  | 'DATABASE_CLOSED'
  | 'DATABASE_LOCKED'
  | 'DATABASE_READ_ONLY'
  | 'DATABASE_CORRUPT'
  | 'DISK_FULL'
  | 'IO_FAILED'
  | 'MIGRATION_FAILED'
  | 'DATABASE_KEY_INVALID'
  // Rows that exist or are missing.
  | 'ACCOUNT_EXISTS'
  | 'ACCOUNT_NOT_FOUND'
  | 'IDENTITY_EXISTS'
  | 'CONTACT_CERTIFICATE_NOT_FOUND'
  | 'FOLDER_NOT_FOUND'
  | 'MESSAGE_NOT_FOUND'
  | 'MESSAGE_BODY_DAMAGED'
  | 'OUTBOX_ENTRY_NOT_FOUND'
  | 'RATCHET_SESSION_NOT_FOUND'
  // Input and state.
  | 'INVALID_ARGUMENT'
  | 'INVALID_STATE'
  | 'CONSTRAINT_FAILED'
  | 'STORAGE_FAILED';

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The fields of better-sqlite3's SqliteError that the translation reads. */
interface SqliteErrorLike {
  code: string;
  message: string;
}

export function isSqliteError(error: unknown): error is SqliteErrorLike {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** Returns true for a SQLITE_CONSTRAINT_UNIQUE (or PRIMARYKEY) failure on `table.column`. */
export function isUniqueViolation(error: unknown, tableColumn: string): boolean {
  if (!isSqliteError(error)) return false;
  if (error.code !== 'SQLITE_CONSTRAINT_UNIQUE' && error.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return false;
  }
  return error.message.includes(tableColumn);
}

/**
 * Translates an error thrown by better-sqlite3 into a StorageError. `operation` names what was
 * being done ("insert account alice@example.org") and `path` the database file, so the message
 * names what failed, where, and what to do next. A StorageError passes through unchanged.
 */
export function translateSqliteError(
  error: unknown,
  operation: string,
  path: string,
): StorageError {
  if (error instanceof StorageError) return error;

  if (error instanceof TypeError && /database connection is not open/i.test(error.message)) {
    return new StorageError(
      'DATABASE_CLOSED',
      `Cannot ${operation}: the database ${path} is already closed. Open it again with openDatabase().`,
      { cause: error },
    );
  }

  if (!isSqliteError(error)) {
    const detail = error instanceof Error ? error.message : String(error);
    return new StorageError('STORAGE_FAILED', `Failed to ${operation} in ${path}: ${detail}`, {
      cause: error,
    });
  }

  const code = error.code;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StorageError(
      'DATABASE_LOCKED',
      `Cannot ${operation}: the database ${path} is locked by another connection (${code}). ` +
        'Close other Sealpost windows or `sealpost` commands that use it, then retry. Nothing was written.',
      { cause: error },
    );
  }
  if (code === 'SQLITE_FULL') {
    return new StorageError(
      'DISK_FULL',
      `Cannot ${operation}: the disk holding ${path} is full. Free disk space, then retry. Nothing was written.`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new StorageError(
      'DATABASE_READ_ONLY',
      `Cannot ${operation}: the database ${path} is read-only (${code}). ` +
        'Check the permissions of the file and its folder.',
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StorageError(
      'DATABASE_CORRUPT',
      `Cannot ${operation}: the database ${path} is damaged or not a Sealpost database (${code}). ` +
        'Restore it from a backup or move it away so Sealpost creates a new one.',
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new StorageError(
      'CONSTRAINT_FAILED',
      `Cannot ${operation}: the value breaks a database constraint (${error.message}). ` +
        'Check the input values.',
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) {
    return new StorageError(
      'IO_FAILED',
      `Cannot ${operation}: reading or writing ${path} failed (${code}). ` +
        'Check that the disk is present and healthy, then retry.',
      { cause: error },
    );
  }
  return new StorageError('STORAGE_FAILED', `Failed to ${operation} in ${path}: ${error.message}`, {
    cause: error,
  });
}
