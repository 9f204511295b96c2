// Connection: one open better-sqlite3 handle plus the file path that error messages name.
// Repositories run every statement through `read` or `write`, so SQLite errors always become
// StorageErrors and every multi-step write is one transaction.

import type BetterSqlite3 from 'better-sqlite3';

import { StorageError, translateSqliteError } from './errors.ts';

export type SqliteDatabase = BetterSqlite3.Database;

export class Connection {
  constructor(
    readonly db: SqliteDatabase,
    readonly path: string,
  ) {}

  /** Runs `work` and translates any SQLite error; `operation` reads like "get account 4". */
  read<T>(operation: string, work: (db: SqliteDatabase) => T): T {
    try {
      return work(this.db);
    } catch (error) {
      throw translateSqliteError(error, operation, this.path);
    }
  }

  /**
   * Runs `work` inside one transaction and commits it, or rolls it back when `work` throws.
   * The transaction starts with BEGIN IMMEDIATE so a competing writer makes it wait (up to
   * busy_timeout) before anything is read, instead of failing halfway with SQLITE_BUSY_SNAPSHOT.
   * Nested calls become savepoints of the outer transaction.
   */
  write<T>(operation: string, work: (db: SqliteDatabase) => T): T {
    try {
      return this.db.transaction(() => work(this.db)).immediate();
    } catch (error) {
      throw translateSqliteError(error, operation, this.path);
    }
  }
}

/** Converts `date` to milliseconds since the Unix epoch, the unit of every *_at and date column. */
export function toMillis(date: Date, field: string): number {
  const millis = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(millis)) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `${field}: expected a valid Date, got ${String(date)}.`,
    );
  }
  return millis;
}

export function fromMillis(millis: number): Date;
export function fromMillis(millis: number | null): Date | null;
export function fromMillis(millis: number | null): Date | null {
  return millis === null ? null : new Date(millis);
}
