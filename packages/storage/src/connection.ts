// Connection: one open better-sqlite3 handle plus the file path that error messages name.
// Repositories run every statement through `read` or `write`, so SQLite errors always become
// StorageErrors and every multi-step write is one transaction.

import type BetterSqlite3 from 'better-sqlite3';

import { StorageError, translateSqliteError } from './errors.ts';

export type SqliteDatabase = BetterSqlite3.Database;

/**
 * Maximum prepared statements kept per connection. Repositories use a few dozen fixed SQL
 * texts; search builds one per combination of filters, so the cache drops the oldest ones.
 */
const STATEMENT_CACHE_SIZE = 256;

export class Connection {
  /** `db` with a `prepare` that reuses compiled statements; repositories get this one. */
  readonly #cached: SqliteDatabase;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  /**
   * Runs at the end of the outermost transaction, before COMMIT, and what it throws rolls the
   * transaction back. `flushed` is false inside writeUnflushed. The store flushes body packs
   * here (body-packs.ts).
   */
  beforeCommit: ((flushed: boolean) => void) | null = null;
  /** True while writeUnflushed runs, whose commits are not flushed to disk. */
  unflushed = false;

  constructor(
    readonly db: SqliteDatabase,
    readonly path: string,
  ) {
    const prepare = (sql: string) => this.#prepare(sql);
    this.#cached = new Proxy(db, {
      get(target, property) {
        if (property === 'prepare') return prepare;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /**
   * Returns the compiled statement for `sql`, compiling it on first use. Sync runs the same
   * INSERT and UPDATE for every message. In a CPU profile of a 10,000-message sync, compiling
   * them again each time took about a tenth of the sync.
   */
  #prepare(sql: string): BetterSqlite3.Statement {
    const cached = this.#statements.get(sql);
    if (cached) {
      // A caller may have switched the statement to arrays with raw(); start from objects.
      if (cached.reader) cached.raw(false);
      return cached;
    }
    const statement = this.db.prepare(sql);
    if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
      this.#statements.delete(this.#statements.keys().next().value!);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  /** Runs `work` and translates any SQLite error; `operation` reads like "get account 4". */
  read<T>(operation: string, work: (db: SqliteDatabase) => T): T {
    try {
      return work(this.#cached);
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
    const outermost = !this.db.inTransaction;
    try {
      return this.db
        .transaction(() => {
          const result = work(this.#cached);
          if (outermost) this.beforeCommit?.(!this.unflushed);
          return result;
        })
        .immediate();
    } catch (error) {
      throw translateSqliteError(error, operation, this.path);
    }
  }
}

/**
 * Runs `connection.write` with PRAGMA synchronous = NORMAL, so the commit is not flushed to
 * disk (https://sqlite.org/pragma.html#pragma_synchronous). In WAL mode a crash of the
 * process loses nothing, and a power loss can only drop the newest commits, never an earlier
 * one: the next FULL commit flushes the WAL with all frames before it. Only for writes that
 * the caller can redo, such as messages sync fetches again when they are missing.
 */
export function writeUnflushed<T>(
  connection: Connection,
  operation: string,
  work: (db: SqliteDatabase) => T,
): T {
  const { db } = connection;
  const previous = db.pragma('synchronous', { simple: true }) as number;
  const wasUnflushed = connection.unflushed;
  db.pragma('synchronous = NORMAL');
  connection.unflushed = true;
  try {
    return connection.write(operation, work);
  } finally {
    connection.unflushed = wasUnflushed;
    // The level is a small integer read above, so it can go into the PRAGMA text.
    if (db.open) db.pragma(`synchronous = ${previous}`);
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
