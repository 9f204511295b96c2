import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_BUSY_TIMEOUT_MS, MIGRATIONS, StorageError, openDatabase } from '../src/index.ts';
import type { Migration } from '../src/index.ts';
import { accountInput, makeTempDir } from './helpers.ts';

function catchError(work: () => unknown): StorageError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  }
  throw new Error('expected a StorageError, but nothing was thrown');
}

describe('openDatabase', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('switches a file to WAL journal mode', () => {
    const file = path.join(temp.dir, 'mail.db');
    openDatabase(file).close();

    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('sets foreign keys and busy timeout', () => {
    const store = openDatabase(':memory:');
    const { db } = (store as unknown as { connection: { db: Database.Database } }).connection;
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(DEFAULT_BUSY_TIMEOUT_MS);
    store.close();
  });

  it('migrates a new file', () => {
    const store = openDatabase(path.join(temp.dir, 'mail.db'));
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    store.close();
  });

  it('leaves an up-to-date database unchanged on reopen', () => {
    const file = path.join(temp.dir, 'mail.db');
    const first = openDatabase(file);
    first.accounts.insert(accountInput());
    first.close();

    let ran = 0;
    const counting: Migration[] = MIGRATIONS.map((migration) => ({
      ...migration,
      up: (db) => {
        ran += 1;
        migration.up(db);
      },
    }));
    const second = openDatabase(file, { migrations: counting });
    expect(ran).toBe(0);
    expect(second.accounts.list()).toHaveLength(1);
    second.close();
  });

  it('rejects a database from a newer schema', () => {
    const file = path.join(temp.dir, 'mail.db');
    openDatabase(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();

    const error = catchError(() => openDatabase(file));
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toContain(`schema version ${MIGRATIONS.length + 1}`);
    expect(error.message).toContain('Update Sealpost');
  });

  it('rolls back a failing migration', () => {
    const file = path.join(temp.dir, 'mail.db');
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'broken',
      up: (db) => {
        db.exec('CREATE TABLE half_done (id INTEGER PRIMARY KEY)');
        db.exec('INSERT INTO no_such_table VALUES (1)');
      },
    };
    const error = catchError(() => openDatabase(file, { migrations: [...MIGRATIONS, broken] }));
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toContain('broken');

    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(
      db.prepare(`SELECT name FROM sqlite_schema WHERE name = 'half_done'`).get(),
    ).toBeUndefined();
    db.close();
  });

  it('names the path of a missing folder', () => {
    const file = path.join(temp.dir, 'missing', 'mail.db');
    const error = catchError(() => openDatabase(file));
    expect(error.code).toBe('DATABASE_OPEN_FAILED');
    expect(error.message).toContain(file);
  });

  it('names the path of an unusable folder', () => {
    const file = path.join(temp.dir, 'not-a-folder', 'mail.db');
    // A regular file in place of the folder fails even for root, unlike chmod.
    fs.writeFileSync(path.join(temp.dir, 'not-a-folder'), 'x');
    const error = catchError(() => openDatabase(file));
    expect(error.code).toBe('DATABASE_OPEN_FAILED');
    expect(error.message).toContain(file);
  });

  it('rejects a non-database file', () => {
    const file = path.join(temp.dir, 'mail.db');
    fs.writeFileSync(file, Buffer.alloc(4096, 0x41));
    const error = catchError(() => openDatabase(file));
    expect(['DATABASE_OPEN_FAILED', 'DATABASE_CORRUPT']).toContain(error.code);
    expect(error.message).toContain(file);
  });

  it('rejects unknown options', () => {
    const error = catchError(() => openDatabase(':memory:', { busyTimeout: 10 } as never));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('busyTimeout');
  });

  it('reports DATABASE_LOCKED and writes nothing', () => {
    const file = path.join(temp.dir, 'mail.db');
    const store = openDatabase(file, { busyTimeoutMs: 50 });
    const holder = new Database(file);
    holder.exec('BEGIN EXCLUSIVE');

    const error = catchError(() => store.accounts.insert(accountInput()));
    expect(error.code).toBe('DATABASE_LOCKED');
    expect(error.message).toContain(file);
    expect(error.message).toContain('retry');
    expect((error.cause as { code: string }).code).toMatch(/^SQLITE_BUSY/);

    holder.exec('ROLLBACK');
    holder.close();
    expect(store.accounts.list()).toEqual([]);
    expect(store.accounts.insert(accountInput()).email).toBe('alice@example.org');
    store.close();
  });

  it('rolls back a half-done transaction', () => {
    const store = openDatabase(':memory:');
    expect(() =>
      store.transaction('add two accounts', () => {
        store.accounts.insert(accountInput('one@example.org'));
        store.accounts.insert(accountInput('one@example.org'));
      }),
    ).toThrow(expect.objectContaining({ code: 'ACCOUNT_EXISTS' }) as Error);
    expect(store.accounts.list()).toEqual([]);
    store.close();
  });

  it('reports DISK_FULL when the file cannot grow', () => {
    const file = path.join(temp.dir, 'mail.db');
    const store = openDatabase(file);
    const { db } = (store as unknown as { connection: { db: Database.Database } }).connection;
    // max_page_count makes SQLite answer SQLITE_FULL just as a full disk would.
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);

    const big = { ...accountInput(), sealedPassword: new Uint8Array(1_000_000) };
    const error = catchError(() => store.accounts.insert(big));
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toContain(file);
    expect(store.accounts.list()).toEqual([]);
    store.close();
  });

  it('reports DATABASE_CLOSED after close', () => {
    const store = openDatabase(':memory:');
    store.close();
    store.close();
    const error = catchError(() => store.accounts.list());
    expect(error.code).toBe('DATABASE_CLOSED');
  });
});
