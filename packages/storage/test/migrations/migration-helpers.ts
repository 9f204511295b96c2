// Helpers for migration tests that build a database at an old schema version with plain SQL,
// because the repositories of this version no longer match the old tables.

import type Database from 'better-sqlite3';
import { Connection } from '../../src/connection.ts';
import { applyMigrations } from '../../src/migrate.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';

/** Applies the first `version` migrations to `db`. */
export function migrate(db: Database.Database, version: number): void {
  applyMigrations(new Connection(db, 'test.db'), MIGRATIONS.slice(0, version));
}

/**
 * Inserts account 1 (alice@example.org) and its folder 1 (INBOX, UIDVALIDITY 7) with columns
 * that every schema version has.
 */
export function insertAccountAndInbox(db: Database.Database): void {
  db.prepare(
    `INSERT INTO accounts (id, email, imap_host, imap_port, imap_security, imap_user, smtp_host,
       smtp_port, smtp_security, smtp_user, sealed_password, created_at)
     VALUES (1, 'alice@example.org', 'imap.example.org', 993, 'tls', 'alice', 'smtp.example.org',
       587, 'starttls', 'alice', x'01', 0)`,
  ).run();
  db.prepare(
    `INSERT INTO folders (id, account_id, path, uid_validity, last_uid) VALUES (1, 1, 'INBOX', 7, 0)`,
  ).run();
}
