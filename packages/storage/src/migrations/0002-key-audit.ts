// Migration 2: the audit log of key operations and the key settings. Each audit entry stores
// the hash of the entry before it (a hash chain), so an edited, removed or reordered entry
// shows when the chain is verified. Entries name keys by fingerprint, never by address.

import type { Migration } from './migration.ts';

const SCHEMA = `
CREATE TABLE audit_log (
  -- seq runs 1, 2, 3, ... without gaps; the chain hash covers it, so reordering shows.
  seq INTEGER PRIMARY KEY CHECK (seq >= 1),
  at INTEGER NOT NULL,
  operation TEXT NOT NULL CHECK (operation GLOB '[a-z]*' AND operation NOT GLOB '*[^a-z-]*'),
  fingerprint TEXT CHECK (
    fingerprint IS NULL OR (length(fingerprint) IN (40, 64) AND fingerprint NOT GLOB '*[^0-9a-f]*')
  ),
  details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details) AND json_type(details) = 'object'),
  previous_hash BLOB NOT NULL CHECK (length(previous_hash) = 32),
  hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;

-- The log is append-only through Sealpost: updates and deletes are refused by the database.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE key_settings (
  name TEXT PRIMARY KEY CHECK (name <> ''),
  value TEXT NOT NULL
) STRICT;
`;

export const keyAudit: Migration = {
  version: 2,
  name: 'key-audit',
  up(db) {
    db.exec(SCHEMA);
  },
};
