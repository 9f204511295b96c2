// Migration 7: the raw message bytes move out of `messages` into `message_raw`, keyed by the
// message id. Search and listings read the small `messages` rows only, instead of following
// the overflow pages of every matching message's raw bytes to reach the columns behind them.
// The rows are copied in batches inside the migration's transaction, so an interrupted
// migration leaves the database at version 6 with every byte in place.
// NOTE: the copy rewrites every raw byte once and the WAL grows to about the size of the
// messages; the time this takes on a large mailbox at the first start was not measured.

import type { SqliteDatabase } from '../connection.ts';
import type { Migration } from './migration.ts';

/** Messages copied per INSERT ... SELECT; bounds the work of one statement, not the transaction. */
const COPY_BATCH = 500;

// The 0001 and 0003 columns without raw. `size` still counts the raw bytes, but SQLite cannot
// check it against another table, so MessageSyncRepository and MessageRepository set both.
const CREATE_MESSAGES = `
CREATE TABLE messages_new (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  folder_id INTEGER NOT NULL,
  uid_validity INTEGER CHECK (uid_validity BETWEEN 1 AND 4294967295),
  uid INTEGER CHECK (uid BETWEEN 1 AND 4294967295),
  message_id TEXT,
  size INTEGER NOT NULL CHECK (size >= 0),
  flags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(flags) AND json_type(flags) = 'array'),
  internal_date INTEGER NOT NULL,
  from_address TEXT,
  subject TEXT,
  date INTEGER,
  kind TEXT NOT NULL CHECK (kind <> ''),
  result TEXT CHECK (result IS NULL OR json_valid(result)),
  created_at INTEGER NOT NULL,
  body_state TEXT NOT NULL DEFAULT 'complete' CHECK (body_state IN ('headers', 'complete')),
  server_size INTEGER CHECK (server_size >= 0),
  FOREIGN KEY (folder_id, account_id) REFERENCES folders (id, account_id) ON DELETE CASCADE,
  CHECK ((uid IS NULL) = (uid_validity IS NULL))
) STRICT;

-- The message exactly as the server returned it, or only its header section while the
-- message's body_state is 'headers'.
CREATE TABLE message_raw (
  message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  raw BLOB NOT NULL
) STRICT;
`;

const COLUMNS = `id, account_id, folder_id, uid_validity, uid, message_id, size, flags, internal_date,
  from_address, subject, date, kind, result, created_at, body_state, server_size`;

// DROP TABLE removes the indexes and the trigger of the old table, so they are made again.
const REPLACE_MESSAGES = `
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;

CREATE UNIQUE INDEX messages_folder_uid
  ON messages (folder_id, uid_validity, uid) WHERE uid IS NOT NULL;
CREATE INDEX messages_folder_internal_date ON messages (folder_id, account_id, internal_date);
CREATE INDEX messages_account_internal_date ON messages (account_id, internal_date);
CREATE INDEX messages_message_id ON messages (message_id);
CREATE INDEX messages_body_pending ON messages (folder_id, uid) WHERE body_state = 'headers';

CREATE TRIGGER messages_search_cleanup AFTER DELETE ON messages BEGIN
  DELETE FROM search_index WHERE rowid = old.id;
END;
`;

export const messageRaw: Migration = {
  version: 7,
  name: 'message-raw',
  // The table rebuild drops `messages`, which would cascade into search_documents and
  // ratchet_entities with foreign keys on (https://sqlite.org/lang_altertable.html, section 7).
  foreignKeysOff: true,
  up(db) {
    db.exec(CREATE_MESSAGES);
    copyInBatches(db);
    db.exec(REPLACE_MESSAGES);
  },
};

function copyInBatches(db: SqliteDatabase): void {
  const copyRows = db.prepare(
    `INSERT INTO messages_new (${COLUMNS})
     SELECT ${COLUMNS} FROM messages WHERE id > ? ORDER BY id LIMIT ${COPY_BATCH}`,
  );
  const copyRaw = db.prepare(
    `INSERT INTO message_raw (message_id, raw)
     SELECT id, raw FROM messages WHERE id > ? AND id <= ? ORDER BY id`,
  );
  const lastCopied = db.prepare('SELECT max(id) AS id FROM messages_new');

  let after = 0;
  for (;;) {
    if (copyRows.run(after).changes === 0) return;
    const { id } = lastCopied.get() as { id: number };
    copyRaw.run(after, id);
    after = id;
  }
}
