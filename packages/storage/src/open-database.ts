// openDatabase: opens (or creates) a Sealpost database file, sets the connection pragmas
// (WAL journal, foreign keys, busy timeout) and brings the schema up to date.

import Database from 'better-sqlite3';

import { Connection } from './connection.ts';
import { StorageError } from './errors.ts';
import { applyMigrations } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import type { Migration } from './migrations/index.ts';
import { Store } from './store.ts';
import { rejectUnknownKeys, requireInteger } from './validate.ts';

/**
 * How long a statement waits for another connection's write lock before it fails with
 * DATABASE_LOCKED. Sync, the outbox and the `sealpost` command may write to the same file.
 * Their transactions are short, so 5 s covers a slow disk, and the error still appears before
 * the user takes the window for hung.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export interface OpenDatabaseOptions {
  /** Overrides DEFAULT_BUSY_TIMEOUT_MS, in milliseconds. */
  busyTimeoutMs?: number;
  /** The migrations to apply; tests pass a prefix of MIGRATIONS. Defaults to all of them. */
  migrations?: readonly Migration[];
}

/**
 * Opens the database at `path` (created when missing, but its folder must exist) or an
 * in-memory one for ':memory:', and applies pending migrations. Throws DATABASE_OPEN_FAILED when
 * the file cannot be opened, and MIGRATION_FAILED when it comes from a newer Sealpost.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Store {
  rejectUnknownKeys(options, ['busyTimeoutMs', 'migrations'], 'options');
  const busyTimeoutMs = requireInteger(
    options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
    0,
    2_147_483_647,
    'options.busyTimeoutMs',
  );
  if (typeof path !== 'string' || path === '') {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `path: expected a file path or ":memory:", got ${String(path)}.`,
    );
  }

  let db: Database.Database;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw openFailed(path, error);
  }

  try {
    const connection = new Connection(db, path);
    configure(db, path, busyTimeoutMs);
    const report = applyMigrations(connection, options.migrations ?? MIGRATIONS);
    return new Store(connection, report.toVersion);
  } catch (error) {
    db.close();
    if (error instanceof StorageError) throw error;
    throw openFailed(path, error);
  }
}

function configure(db: Database.Database, path: string, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);

  // WAL lets readers continue while sync writes. An in-memory database reports "memory".
  const journalMode = db.pragma('journal_mode = WAL', { simple: true });
  if (path !== ':memory:' && journalMode !== 'wal') {
    throw new StorageError(
      'DATABASE_OPEN_FAILED',
      `Cannot switch ${path} to WAL journal mode (it reports "${String(journalMode)}"). ` +
        'Move the database to a local disk; network file systems do not support WAL.',
    );
  }

  db.pragma('foreign_keys = ON');
}

function openFailed(path: string, error: unknown): StorageError {
  const detail = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return new StorageError(
    'DATABASE_OPEN_FAILED',
    `Cannot open the database ${path}: ${detail}${typeof code === 'string' ? ` (${code})` : ''}. ` +
      'Check that the folder exists and is writable and that the file is a Sealpost database.',
    { cause: error },
  );
}
