// Migration 6: ratchet mode in mail. `ratchet_peer_bundles` holds the last verified prekey
// bundle of each contact, `ratchet_entities` the decrypted MIME entity of each ratchet message
// (sealed by core), written in the transaction that advances the session, and
// `negotiation_records` is rebuilt so a sent message can record the mode 'ratchet'.

import type { Migration } from './migration.ts';

const ADDRESS_CHECK = (column: string): string =>
  `${column} = lower(${column}) AND ${column} LIKE '%_@_%'`;

const FINGERPRINT_CHECK = (column: string): string =>
  `length(${column}) IN (40, 64) AND ${column} NOT GLOB '*[^0-9a-f]*'`;

const SCHEMA = `
CREATE TABLE ratchet_peer_bundles (
  address TEXT PRIMARY KEY CHECK (${ADDRESS_CHECK('address')}),
  -- The pinned certificate the bundle was verified against when it was stored.
  fingerprint TEXT NOT NULL CHECK (${FINGERPRINT_CHECK('fingerprint')}),
  -- The signed bundle exactly as the MIME part carried it.
  signed_bundle BLOB NOT NULL CHECK (length(signed_bundle) > 0),
  identity_key BLOB NOT NULL CHECK (length(identity_key) = 32),
  prekey_id INTEGER NOT NULL CHECK (prekey_id BETWEEN 0 AND 4294967295),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL CHECK (expires_at > created_at),
  received_at INTEGER NOT NULL
) STRICT;

CREATE TABLE ratchet_entities (
  message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  session_id TEXT NOT NULL CHECK (length(session_id) = 32 AND session_id NOT GLOB '*[^0-9a-f]*'),
  -- The decrypted MIME entity, sealed by core with a key from the keystore.
  sealed_entity BLOB NOT NULL CHECK (length(sealed_entity) > 0),
  created_at INTEGER NOT NULL
) STRICT;
`;

// SQLite cannot change a CHECK constraint in place, so negotiation_records is rebuilt and its
// rows copied unchanged (https://sqlite.org/lang_altertable.html, section 7).
const REBUILD_NEGOTIATION_RECORDS = `
CREATE TABLE negotiation_records_new (
  message_id TEXT PRIMARY KEY CHECK (message_id <> ''),
  mode TEXT NOT NULL CHECK (mode IN ('ratchet', 'openpgp', 'signed-plaintext')),
  encryption TEXT CHECK (encryption IN ('pq', 'classical')),
  reason TEXT NOT NULL CHECK (reason <> ''),
  recipients TEXT NOT NULL CHECK (json_valid(recipients) AND json_type(recipients) = 'array'),
  warnings TEXT NOT NULL CHECK (json_valid(warnings) AND json_type(warnings) = 'array'),
  created_at INTEGER NOT NULL,
  CHECK ((mode = 'signed-plaintext') = (encryption IS NULL))
) STRICT;

INSERT INTO negotiation_records_new
  SELECT message_id, mode, encryption, reason, recipients, warnings, created_at
  FROM negotiation_records;

DROP TABLE negotiation_records;
ALTER TABLE negotiation_records_new RENAME TO negotiation_records;
`;

export const ratchetMail: Migration = {
  version: 6,
  name: 'ratchet-mail',
  up(db) {
    db.exec(SCHEMA);
    db.exec(REBUILD_NEGOTIATION_RECORDS);
  },
};
