// Migration 3: sync state and search. Messages may be stored headers-first (the body follows
// in a later batch), app actions on messages wait in `pending_actions` until the server has
// them, outbox retries are scheduled with backoff, and decrypted text is indexed in an FTS5
// table. NOTE: the index contains plaintext; it is encrypted at rest only together with the
// whole database file, so nothing outside this database may hold it.

import type { Migration } from './migration.ts';

const SCHEMA = `
-- 'headers': raw contains only the header section (RFC 5322 section 2.1); the body is fetched later.
ALTER TABLE messages ADD COLUMN body_state TEXT NOT NULL DEFAULT 'complete'
  CHECK (body_state IN ('headers', 'complete'));
-- RFC822.SIZE as the server reported it, known before the body is fetched.
ALTER TABLE messages ADD COLUMN server_size INTEGER CHECK (server_size >= 0);

CREATE INDEX messages_body_pending ON messages (folder_id, uid) WHERE body_state = 'headers';

CREATE TABLE pending_actions (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  folder_id INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
  uid_validity INTEGER NOT NULL CHECK (uid_validity BETWEEN 1 AND 4294967295),
  uid INTEGER NOT NULL CHECK (uid BETWEEN 1 AND 4294967295),
  kind TEXT NOT NULL CHECK (kind IN ('flags', 'move', 'expunge')),
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error TEXT,
  created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX pending_actions_account ON pending_actions (account_id, id);
CREATE INDEX pending_actions_message ON pending_actions (folder_id, uid_validity, uid);

-- Earliest time of the next automatic attempt; NULL means at once.
ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER;

CREATE VIRTUAL TABLE search_index USING fts5 (
  subject, sender, recipients, body,
  tokenize = 'unicode61 remove_diacritics 2'
);

-- One row per indexed message; its rowid in search_index is the message id.
CREATE TABLE search_documents (
  message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  has_attachment INTEGER NOT NULL CHECK (has_attachment IN (0, 1)),
  encrypted INTEGER NOT NULL CHECK (encrypted IN (0, 1)),
  signed INTEGER NOT NULL CHECK (signed IN (0, 1)),
  -- 'outer': only what the server sees too; 'full': the decrypted or plain text.
  depth TEXT NOT NULL CHECK (depth IN ('outer', 'full')),
  indexed_at INTEGER NOT NULL
) STRICT;

-- FTS5 tables take no foreign keys, so a trigger drops the text with its message.
CREATE TRIGGER messages_search_cleanup AFTER DELETE ON messages BEGIN
  DELETE FROM search_index WHERE rowid = old.id;
END;
`;

export const syncSearch: Migration = {
  version: 3,
  name: 'sync-search',
  up(db) {
    db.exec(SCHEMA);
  },
};
