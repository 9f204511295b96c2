// openDatabase: opens (or creates) a Sealpost database file, sets the connection pragmas
// (WAL journal, foreign keys, busy timeout) and brings the schema up to date. The driver is
// better-sqlite3-multiple-ciphers, better-sqlite3's API with whole-file encryption when a key
// is passed (see database-key.ts).

import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import Database from 'better-sqlite3-multiple-ciphers';

import { Connection } from './connection.ts';
import { applyDatabaseKey, encryptDatabaseInPlace } from './database-key.ts';
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
  /**
   * The 32-byte key of an encrypted database. Without it the file is plaintext, which only
   * tests and the benchmark use; Sealpost itself always passes the key from its keystore.
   */
  encryptionKey?: Uint8Array;
  /**
   * With `encryptionKey`: when the file turns out to be an existing plaintext database (made
   * before encryption at rest), encrypt it in place with the key instead of failing.
   */
  encryptPlaintextFile?: boolean;
}

/**
 * Opens the database at `path` (created when missing, but its folder must exist) or an
 * in-memory one for ':memory:', and applies pending migrations. Throws DATABASE_OPEN_FAILED when
 * the file cannot be opened, and MIGRATION_FAILED when it comes from a newer Sealpost.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Store {
  rejectUnknownKeys(
    options,
    ['busyTimeoutMs', 'migrations', 'encryptionKey', 'encryptPlaintextFile'],
    'options',
  );
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

  if (options.encryptionKey && options.encryptPlaintextFile && path !== ':memory:') {
    encryptIfPlaintext(path, options.encryptionKey, busyTimeoutMs);
  }

  let db: SqliteHandle;
  try {
    if (path !== ':memory:') restrictToOwner(path);
    db = new Database(path, { timeout: busyTimeoutMs }) as unknown as SqliteHandle;
  } catch (error) {
    throw openFailed(path, error);
  }

  try {
    if (options.encryptionKey) applyDatabaseKey(db, options.encryptionKey, path);
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

type SqliteHandle = BetterSqlite3.Database;

/** Encrypts `path` with `key` when it is an unencrypted SQLite file; other files stay as they are. */
function encryptIfPlaintext(path: string, key: Uint8Array, busyTimeoutMs: number): void {
  let db: SqliteHandle;
  try {
    restrictToOwner(path);
    db = new Database(path, { timeout: busyTimeoutMs }) as unknown as SqliteHandle;
  } catch (error) {
    throw openFailed(path, error);
  }
  try {
    try {
      // An encrypted file (or a new, empty one) fails here or has no tables to protect.
      const tables = db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
      if (tables.n === 0) return;
    } catch {
      return;
    }
    encryptDatabaseInPlace(db, key, path);
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw openFailed(path, error);
  } finally {
    db.close();
  }
}

function configure(db: SqliteHandle, path: string, busyTimeoutMs: number): void {
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

/** Owner read and write only, like the keystore: the file is the user's mail. */
const DATABASE_FILE_MODE = 0o600;

/**
 * Creates the database file with mode 0600 when it is missing, and sets 0600 on an existing one
 * and its -wal and -shm files. SQLite creates -wal and -shm with the mode of the database file
 * (os_unix.c, findCreateFileMode), so they follow it whatever the umask.
 */
function restrictToOwner(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', DATABASE_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, DATABASE_FILE_MODE);
  }
}
