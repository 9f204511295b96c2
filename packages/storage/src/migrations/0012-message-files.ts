// Migration 12: a received message of several megabytes may keep its body in an encrypted file
// of the data folder (folder "messages") instead of the `message_raw` row, so syncing it never
// holds the whole message in memory or in one SQLite row. message_raw then holds only its header
// section. The file is encrypted under file_key, which lives only in this row, so deleting the
// row makes a file left behind unreadable.

import type { Migration } from './migration.ts';

// 32 lowercase hex digits and ".msg": a plain name inside the messages folder, never a path.
const SCHEMA = `
CREATE TABLE message_files (
  message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  file_name TEXT NOT NULL UNIQUE CHECK (
    length(file_name) = 36 AND file_name GLOB '*.msg'
    AND substr(file_name, 1, 32) NOT GLOB '*[^0-9a-f]*'
  ),
  file_key BLOB NOT NULL CHECK (length(file_key) = 32),
  size INTEGER NOT NULL CHECK (size > 0)
) STRICT;
`;

export const messageFiles: Migration = {
  version: 12,
  name: 'message-files',
  up(db) {
    db.exec(SCHEMA);
  },
};
