// Applies the numbered schema migrations in order and records the reached version in
// PRAGMA user_version. Each migration runs in its own transaction, so a failure leaves the
// database at the last version that completed.

import type { Connection } from './connection.ts';
import { StorageError, translateSqliteError } from './errors.ts';
import type { Migration } from './migrations/index.ts';

export interface MigrationReport {
  fromVersion: number;
  toVersion: number;
}

/** Returns the schema version recorded in the database (0 for a new, empty file). */
export function readSchemaVersion(connection: Connection): number {
  return connection.read('read schema version', (db) => {
    return db.pragma('user_version', { simple: true }) as number;
  });
}

/**
 * Applies every migration in `migrations` above the database's version. Throws MIGRATION_FAILED
 * when the database was written by a newer Sealpost (its version is above the last one known
 * here) or when a migration fails; DATABASE_LOCKED and DISK_FULL keep their own codes.
 */
export function applyMigrations(
  connection: Connection,
  migrations: readonly Migration[],
): MigrationReport {
  checkMigrationList(migrations);
  const latest = migrations.length;
  const fromVersion = readSchemaVersion(connection);

  if (fromVersion > latest) {
    throw new StorageError(
      'MIGRATION_FAILED',
      `The database ${connection.path} has schema version ${fromVersion}, but this version of ` +
        `Sealpost supports schema versions up to ${latest}. Update Sealpost to open this database.`,
    );
  }

  for (const migration of migrations) {
    if (migration.version <= fromVersion) continue;
    applyOne(connection, migration);
  }
  return { fromVersion, toVersion: Math.max(fromVersion, latest) };
}

function applyOne(connection: Connection, migration: Migration): void {
  const { db } = connection;
  // PRAGMA foreign_keys is a no-op inside a transaction, so it is switched before BEGIN.
  const foreignKeysWereOn = db.pragma('foreign_keys', { simple: true }) === 1;
  if (migration.foreignKeysOff && foreignKeysWereOn) db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      // Another process may have migrated between our version check and BEGIN IMMEDIATE.
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= migration.version) return;

      migration.up(db);
      if (migration.foreignKeysOff) requireNoForeignKeyViolation(db);
      // PRAGMA takes no bound parameters; the version is an integer checked by checkMigrationList.
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  } catch (error) {
    const translated = translateSqliteError(
      error,
      `apply migration ${migration.version} (${migration.name})`,
      connection.path,
    );
    const keepsCode = ['DATABASE_LOCKED', 'DISK_FULL', 'DATABASE_READ_ONLY', 'DATABASE_CLOSED'];
    if (keepsCode.includes(translated.code)) throw translated;

    throw new StorageError(
      'MIGRATION_FAILED',
      `Migration ${migration.version} (${migration.name}) failed on ${connection.path}: ` +
        `${translated.message} The database stays at schema version ${migration.version - 1}; ` +
        'back it up and report the error.',
      { cause: error },
    );
  } finally {
    if (migration.foreignKeysOff && foreignKeysWereOn) db.pragma('foreign_keys = ON');
  }
}

/** Throws when a row of the rebuilt schema points at a parent row that does not exist. */
function requireNoForeignKeyViolation(db: Connection['db']): void {
  const violations = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number }>;
  if (violations.length === 0) return;
  const first = violations[0]!;
  throw new StorageError(
    'MIGRATION_FAILED',
    `${violations.length} rows violate a foreign key after the rebuild, the first in table ` +
      `${first.table} (rowid ${first.rowid}).`,
  );
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new StorageError(
        'MIGRATION_FAILED',
        `Migration list is out of order: position ${index + 1} contains version ${migration.version} ` +
          `(${migration.name}). Versions must run 1, 2, 3, ... without gaps.`,
      );
    }
  });
}
