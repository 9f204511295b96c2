import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Connection } from '../../src/connection.ts';
import { applyMigrations, readSchemaVersion } from '../../src/migrate.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';

/** Applies the first `version` migrations to an empty in-memory database. */
function migrateTo(version: number): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  applyMigrations(new Connection(db, ':memory:'), MIGRATIONS.slice(0, version));
  return db;
}

function columns(
  db: Database.Database,
  table: string,
): Record<string, { type: string; notnull: number }> {
  const rows = db.prepare('SELECT name, type, "notnull" FROM pragma_table_xinfo(?)').all(table) as {
    name: string;
    type: string;
    notnull: number;
  }[];
  return Object.fromEntries(
    rows.map((row) => [row.name, { type: row.type, notnull: row.notnull }]),
  );
}

function indexes(
  db: Database.Database,
  table: string,
): { name: string; unique: number; partial: number }[] {
  return db.prepare('SELECT name, "unique", partial FROM pragma_index_list(?)').all(table) as {
    name: string;
    unique: number;
    partial: number;
  }[];
}

describe('migration 0001 initial', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = migrateTo(1);
  });
  afterEach(() => db.close());

  it('records schema version 1', () => {
    expect(readSchemaVersion(new Connection(db, ':memory:'))).toBe(1);
  });

  it('creates the expected tables', () => {
    const tables = db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toEqual([
      'accounts',
      'contact_certificates',
      'contacts',
      'folders',
      'identities',
      'messages',
      'outbox',
    ]);
  });

  it('makes every table STRICT', () => {
    const rows = db
      .prepare(
        `SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'`,
      )
      .all() as {
      name: string;
      strict: number;
    }[];
    for (const row of rows) expect(row, row.name).toMatchObject({ strict: 1 });
  });

  it('gives accounts its columns', () => {
    const accountColumns = columns(db, 'accounts');
    expect(Object.keys(accountColumns)).toEqual([
      'id',
      'email',
      'display_name',
      'imap_host',
      'imap_port',
      'imap_security',
      'imap_user',
      'smtp_host',
      'smtp_port',
      'smtp_security',
      'smtp_user',
      'pinned_certificate',
      'sealed_password',
      'created_at',
    ]);
    expect(accountColumns['sealed_password']).toEqual({ type: 'BLOB', notnull: 1 });
    expect(accountColumns['pinned_certificate']).toEqual({ type: 'TEXT', notnull: 0 });
  });

  it('gives messages raw BLOB and nullable uid', () => {
    const messageColumns = columns(db, 'messages');
    expect(messageColumns['raw']).toEqual({ type: 'BLOB', notnull: 1 });
    expect(messageColumns['uid']).toEqual({ type: 'INTEGER', notnull: 0 });
    expect(messageColumns['uid_validity']).toEqual({ type: 'INTEGER', notnull: 0 });
    expect(messageColumns['result']).toEqual({ type: 'TEXT', notnull: 0 });
  });

  it('creates the unique and partial indexes', () => {
    expect(indexes(db, 'messages')).toContainEqual({
      name: 'messages_folder_uid',
      unique: 1,
      partial: 1,
    });
    expect(indexes(db, 'contact_certificates')).toContainEqual({
      name: 'contact_certificates_pinned',
      unique: 1,
      partial: 1,
    });
    expect(indexes(db, 'folders').filter((index) => index.unique === 1)).toHaveLength(2);
    expect(indexes(db, 'accounts').filter((index) => index.unique === 1)).toHaveLength(1);
    expect(indexes(db, 'identities').filter((index) => index.unique === 1)).toHaveLength(2);
  });

  it('declares the foreign keys with cascades', () => {
    const keys = (table: string) =>
      db.prepare('SELECT "table", "from", on_delete FROM pragma_foreign_key_list(?)').all(table);
    expect(keys('folders')).toEqual([
      { table: 'accounts', from: 'account_id', on_delete: 'CASCADE' },
    ]);
    expect(keys('identities')).toEqual([
      { table: 'accounts', from: 'account_id', on_delete: 'SET NULL' },
    ]);
    expect(keys('outbox')).toEqual([
      { table: 'accounts', from: 'account_id', on_delete: 'CASCADE' },
    ]);
    expect(keys('messages')).toEqual(
      expect.arrayContaining([
        { table: 'accounts', from: 'account_id', on_delete: 'CASCADE' },
        { table: 'folders', from: 'folder_id', on_delete: 'CASCADE' },
        { table: 'folders', from: 'account_id', on_delete: 'CASCADE' },
      ]),
    );
    expect(keys('contact_certificates')).toEqual([
      { table: 'contacts', from: 'contact_address', on_delete: 'CASCADE' },
    ]);
  });

  it('enforces CHECK constraints', () => {
    const insertAccount = (email: string, port: number, security: string) =>
      db
        .prepare(
          `INSERT INTO accounts (email, display_name, imap_host, imap_port, imap_security, imap_user,
             smtp_host, smtp_port, smtp_security, smtp_user, sealed_password, created_at)
           VALUES (?, NULL, 'h', ?, ?, 'u', 'h', 587, 'starttls', 'u', x'01', 0)`,
        )
        .run(email, port, security);
    expect(() => insertAccount('Upper@example.org', 993, 'tls')).toThrow(/CHECK constraint failed/);
    expect(() => insertAccount('a@example.org', 70000, 'tls')).toThrow(/CHECK constraint failed/);
    expect(() => insertAccount('a@example.org', 993, 'none')).toThrow(/CHECK constraint failed/);
    expect(() => insertAccount('a@example.org', 993, 'tls')).not.toThrow();
  });

  it('rejects a non-private-key secret key', () => {
    const insertIdentity = (secretKey: string) =>
      db
        .prepare(
          `INSERT INTO identities (account_id, address, fingerprint, certificate, secret_key,
             revocation_certificate, created_at)
           VALUES (NULL, 'a@example.org', ?, '-----BEGIN PGP PUBLIC KEY BLOCK-----', ?,
             '-----BEGIN PGP PUBLIC KEY BLOCK-----', 0)`,
        )
        .run('a'.repeat(40), secretKey);
    expect(() => insertIdentity('{"kty":"OKP"}')).toThrow(/CHECK constraint failed/);
    expect(() => insertIdentity('-----BEGIN PGP PUBLIC KEY BLOCK-----')).toThrow(
      /CHECK constraint failed/,
    );
    expect(() => insertIdentity('-----BEGIN PGP PRIVATE KEY BLOCK-----\n')).not.toThrow();
  });

  it('is skipped when applied a second time', () => {
    const report = applyMigrations(new Connection(db, ':memory:'), MIGRATIONS.slice(0, 1));
    expect(report).toEqual({ fromVersion: 1, toVersion: 1 });
  });
});
