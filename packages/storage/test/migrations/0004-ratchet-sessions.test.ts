import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Connection } from '../../src/connection.ts';
import { applyMigrations, readSchemaVersion } from '../../src/migrate.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';

describe('migration 0004 ratchet-sessions', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    applyMigrations(new Connection(db, ':memory:'), MIGRATIONS.slice(0, 4));
  });
  afterEach(() => db.close());

  const insertSession = (id: string, active: number, peer = 'bob@example.net') =>
    db
      .prepare(
        `INSERT INTO ratchet_sessions (id, local_address, peer_address, state, active, created_at, updated_at)
         VALUES (?, 'alice@example.org', ?, x'01', ?, 0, 0)`,
      )
      .run(id, peer, active);

  it('records schema version 4 and creates both tables as STRICT', () => {
    expect(readSchemaVersion(new Connection(db, ':memory:'))).toBe(4);
    const tables = db
      .prepare(`SELECT name, strict FROM pragma_table_list WHERE name LIKE 'ratchet_%'`)
      .all();
    expect(tables).toEqual(
      expect.arrayContaining([
        { name: 'ratchet_sessions', strict: 1 },
        { name: 'ratchet_keys', strict: 1 },
      ]),
    );
  });

  it('checks session ids and allows one active session per peer', () => {
    expect(() => insertSession('XYZ', 0)).toThrow(/CHECK constraint failed/);
    insertSession('a'.repeat(32), 1);
    expect(() => insertSession('b'.repeat(32), 1)).toThrow(/UNIQUE constraint failed/);
    expect(() => insertSession('c'.repeat(32), 0)).not.toThrow();
    expect(() => insertSession('d'.repeat(32), 1, 'carol@example.net')).not.toThrow();
  });

  it('requires a prekey id, expiry and bundle exactly for prekeys', () => {
    const insertKey = (kind: string, prekeyId: number | null, expiresAt: number | null) =>
      db
        .prepare(
          `INSERT INTO ratchet_keys (address, kind, prekey_id, secret, signed_bundle, created_at, expires_at)
           VALUES ('alice@example.org', ?, ?, x'01', ?, 0, ?)`,
        )
        .run(kind, prekeyId, kind === 'prekey' ? Buffer.from([1]) : null, expiresAt);
    expect(() => insertKey('identity', 5, null)).toThrow(/CHECK constraint failed/);
    expect(() => insertKey('prekey', 5, null)).toThrow(/CHECK constraint failed/);
    expect(() => insertKey('prekey', 5, 10)).not.toThrow();
    expect(() => insertKey('identity', null, null)).not.toThrow();
    expect(() => insertKey('identity', null, null)).toThrow(/UNIQUE constraint failed/);
  });
});
