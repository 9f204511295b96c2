import Database from 'better-sqlite3-multiple-ciphers';
import type BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { Connection } from '../../src/connection.ts';
import { applyMigrations, readSchemaVersion } from '../../src/migrate.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';

function migrateTo(version: number): BetterSqlite3.Database {
  const db = new Database(':memory:') as unknown as BetterSqlite3.Database;
  applyMigrations(new Connection(db, ':memory:'), MIGRATIONS.slice(0, version));
  return db;
}

const HASH = Buffer.alloc(32, 7);

describe('migration 0002 key-audit', () => {
  it('upgrades a version 1 database', () => {
    const db = migrateTo(1);
    applyMigrations(new Connection(db, ':memory:'), MIGRATIONS.slice(0, 2));
    expect(readSchemaVersion(new Connection(db, ':memory:'))).toBe(2);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toContain('audit_log');
    expect(tables).toContain('key_settings');
  });

  it('keeps audit_log append-only', () => {
    const db = migrateTo(2);
    db.prepare(
      'INSERT INTO audit_log (seq, at, operation, details, previous_hash, hash) VALUES (1, 0, ?, ?, ?, ?)',
    ).run('generate', '{}', HASH, HASH);
    expect(() => db.exec("UPDATE audit_log SET operation = 'export'")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_log')).toThrow(/append-only/);
  });

  it('rejects malformed audit rows', () => {
    const db = migrateTo(2);
    const insert = db.prepare(
      'INSERT INTO audit_log (seq, at, operation, fingerprint, details, previous_hash, hash) VALUES (?, 0, ?, ?, ?, ?, ?)',
    );
    expect(() => insert.run(1, 'Generate', null, '{}', HASH, HASH)).toThrow(/CHECK/);
    expect(() => insert.run(1, 'generate', 'XYZ', '{}', HASH, HASH)).toThrow(/CHECK/);
    expect(() => insert.run(1, 'generate', null, '[]', HASH, HASH)).toThrow(/CHECK/);
    expect(() => insert.run(1, 'generate', null, '{}', Buffer.alloc(31), HASH)).toThrow(/CHECK/);
    expect(() => insert.run(0, 'generate', null, '{}', HASH, HASH)).toThrow(/CHECK/);
  });
});
