import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Connection } from '../../src/connection.ts';
import { applyMigrations, readSchemaVersion } from '../../src/migrate.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';

describe('migration 0006 ratchet-mail', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    applyMigrations(new Connection(db, ':memory:'), MIGRATIONS.slice(0, 5));
  });
  afterEach(() => db.close());

  const insertRecord = (messageId: string, mode: string, encryption: string | null) =>
    db
      .prepare(
        `INSERT INTO negotiation_records (message_id, mode, encryption, reason, recipients, warnings, created_at)
         VALUES (?, ?, ?, 'why', '[]', '[]', 0)`,
      )
      .run(messageId, mode, encryption);

  it('keeps negotiation records and accepts the ratchet mode', () => {
    insertRecord('<a@example.org>', 'openpgp', 'pq');
    expect(() => insertRecord('<b@example.org>', 'ratchet', 'pq')).toThrow(/CHECK constraint/);

    applyMigrations(new Connection(db, ':memory:'), MIGRATIONS.slice(0, 6));

    expect(readSchemaVersion(new Connection(db, ':memory:'))).toBe(6);
    expect(db.prepare('SELECT message_id, mode FROM negotiation_records').all()).toEqual([
      { message_id: '<a@example.org>', mode: 'openpgp' },
    ]);
    expect(() => insertRecord('<b@example.org>', 'ratchet', 'pq')).not.toThrow();
    expect(() => insertRecord('<c@example.org>', 'ratchet', null)).toThrow(/CHECK constraint/);
    expect(() => insertRecord('<d@example.org>', 'signed-plaintext', 'pq')).toThrow(
      /CHECK constraint/,
    );
  });

  it('checks peer bundles and ties entities to their message', () => {
    applyMigrations(new Connection(db, ':memory:'), MIGRATIONS.slice(0, 6));
    const insertBundle = (identityKeyLength: number, expiresAt: number) =>
      db
        .prepare(
          `INSERT INTO ratchet_peer_bundles (address, fingerprint, signed_bundle, identity_key,
             prekey_id, created_at, expires_at, received_at)
           VALUES ('bob@example.net', ?, x'01', ?, 7, 10, ?, 10)`,
        )
        .run('a'.repeat(40), Buffer.alloc(identityKeyLength), expiresAt);
    expect(() => insertBundle(31, 20)).toThrow(/CHECK constraint/);
    expect(() => insertBundle(32, 10)).toThrow(/CHECK constraint/);
    expect(() => insertBundle(32, 20)).not.toThrow();

    expect(() =>
      db
        .prepare(
          `INSERT INTO ratchet_entities (message_id, session_id, sealed_entity, created_at)
           VALUES (999, ?, x'01', 0)`,
        )
        .run('b'.repeat(32)),
    ).toThrow(/FOREIGN KEY constraint/);
  });
});
