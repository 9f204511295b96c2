// Migration 4: ratchet mode (docs/RATCHET.md section 7). `ratchet_sessions` holds each
// session's serialized state per local and peer address, at most one of them active;
// `ratchet_keys` holds the identity DH key and the prekey secrets of each local address.
// NOTE: both hold secrets; they are protected at rest only as the whole database file is.

import type { Migration } from './migration.ts';

const ADDRESS_CHECK = (column: string): string =>
  `${column} = lower(${column}) AND ${column} LIKE '%_@_%'`;

const SCHEMA = `
CREATE TABLE ratchet_sessions (
  -- The session id: 16 bytes as 32 lowercase hex digits (docs/RATCHET.md section 3).
  id TEXT PRIMARY KEY CHECK (length(id) = 32 AND id NOT GLOB '*[^0-9a-f]*'),
  local_address TEXT NOT NULL CHECK (${ADDRESS_CHECK('local_address')}),
  peer_address TEXT NOT NULL CHECK (${ADDRESS_CHECK('peer_address')}),
  state BLOB NOT NULL CHECK (length(state) > 0),
  active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
  -- Incremented by every advance, so a writer holding an older state is rejected.
  generation INTEGER NOT NULL DEFAULT 1 CHECK (generation >= 1),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX ratchet_sessions_peer ON ratchet_sessions (local_address, peer_address);
-- At most one session per peer sends.
CREATE UNIQUE INDEX ratchet_sessions_active
  ON ratchet_sessions (local_address, peer_address) WHERE active = 1;

CREATE TABLE ratchet_keys (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL CHECK (${ADDRESS_CHECK('address')}),
  kind TEXT NOT NULL CHECK (kind IN ('identity', 'prekey')),
  prekey_id INTEGER CHECK (prekey_id BETWEEN 0 AND 4294967295),
  secret BLOB NOT NULL CHECK (length(secret) > 0),
  -- The signed bundle (MIME part body) of a prekey, as sent in outgoing mail.
  signed_bundle BLOB,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  CHECK ((kind = 'identity') = (prekey_id IS NULL)),
  CHECK ((kind = 'prekey') = (expires_at IS NOT NULL AND signed_bundle IS NOT NULL)),
  UNIQUE (address, prekey_id)
) STRICT;

CREATE UNIQUE INDEX ratchet_keys_identity ON ratchet_keys (address) WHERE kind = 'identity';
`;

export const ratchetSessions: Migration = {
  version: 4,
  name: 'ratchet-sessions',
  up(db) {
    db.exec(SCHEMA);
  },
};
