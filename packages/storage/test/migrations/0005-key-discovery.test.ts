import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Connection } from '../../src/connection.ts';
import { applyMigrations, readSchemaVersion } from '../../src/migrate.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';

const CERTIFICATE = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxx\n';
const FINGERPRINT = 'a'.repeat(40);

describe('migration 0005 key-discovery', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    applyMigrations(new Connection(db, ':memory:'), MIGRATIONS.slice(0, 4));
    db.prepare(
      `INSERT INTO contacts (address, name, created_at) VALUES ('bob@example.net', NULL, 0)`,
    ).run();
    db.prepare(
      `INSERT INTO contact_certificates (contact_address, fingerprint, certificate, source,
         prefer_encrypt, status, first_seen, last_seen)
       VALUES ('bob@example.net', ?, ?, 'autocrypt', 'mutual', 'pinned', 1, 2)`,
    ).run(FINGERPRINT, CERTIFICATE);
    applyMigrations(new Connection(db, ':memory:'), MIGRATIONS.slice(0, 5));
  });
  afterEach(() => db.close());

  const insertCertificate = (fingerprint: string, source: string) =>
    db
      .prepare(
        `INSERT INTO contact_certificates (contact_address, fingerprint, certificate, source,
           status, first_seen, last_seen)
         VALUES ('bob@example.net', ?, ?, ?, 'changed', 3, 3)`,
      )
      .run(fingerprint, CERTIFICATE, source);

  it('records schema version 5 and keeps existing certificates', () => {
    expect(readSchemaVersion(new Connection(db, ':memory:'))).toBe(5);
    const rows = db.prepare('SELECT fingerprint, source, status FROM contact_certificates').all();
    expect(rows).toEqual([{ fingerprint: FINGERPRINT, source: 'autocrypt', status: 'pinned' }]);
  });

  it('accepts the wkd and vks sources and rejects others', () => {
    insertCertificate('b'.repeat(40), 'wkd');
    insertCertificate('c'.repeat(40), 'vks');
    expect(() => insertCertificate('d'.repeat(40), 'dns')).toThrow(/CHECK constraint failed/);
  });

  it('still allows one pinned certificate per address', () => {
    expect(() =>
      db
        .prepare(
          `INSERT INTO contact_certificates (contact_address, fingerprint, certificate, source,
             status, first_seen, last_seen)
           VALUES ('bob@example.net', ?, ?, 'wkd', 'pinned', 3, 3)`,
        )
        .run('e'.repeat(40), CERTIFICATE),
    ).toThrow(/UNIQUE constraint failed/);
  });

  it('creates the new tables as STRICT', () => {
    const tables = db
      .prepare(
        `SELECT name, strict FROM pragma_table_list
         WHERE name IN ('autocrypt_peers', 'contact_verifications', 'contact_capabilities',
                        'negotiation_records', 'contact_certificates')`,
      )
      .all();
    expect(tables).toHaveLength(5);
    for (const table of tables as Array<{ strict: number }>) expect(table.strict).toBe(1);
  });

  it('requires a public key and its timestamp together', () => {
    expect(() =>
      db
        .prepare(
          `INSERT INTO autocrypt_peers (address, last_seen, public_key, public_key_fingerprint)
           VALUES ('bob@example.net', 1, x'01', ?)`,
        )
        .run(FINGERPRINT),
    ).toThrow(/CHECK constraint failed/);
  });

  it('requires an encryption exactly for OpenPGP records', () => {
    const insert = (mode: string, encryption: string | null) =>
      db
        .prepare(
          `INSERT INTO negotiation_records (message_id, mode, encryption, reason, recipients, warnings, created_at)
           VALUES (?, ?, ?, 'why', '[]', '[]', 0)`,
        )
        .run(`<${mode}${encryption}@x>`, mode, encryption);
    insert('openpgp', 'pq');
    insert('signed-plaintext', null);
    expect(() => insert('openpgp', null)).toThrow(/CHECK constraint failed/);
    expect(() => insert('signed-plaintext', 'classical')).toThrow(/CHECK constraint failed/);
  });
});
