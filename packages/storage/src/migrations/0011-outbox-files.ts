// Migration 11: an outbox entry may keep its message in a file of the data folder instead of
// the `raw` column, so a message of hundreds of megabytes is never held in memory or in one
// SQLite row. For such an entry `raw` holds only the outer header section (enough to read the
// Message-ID), file_name names the file in the outbox folder and file_size is its length.

import type { Migration } from './migration.ts';

// 32 lowercase hex digits and ".eml": a plain name inside the outbox folder, never a path.
const SCHEMA = `
ALTER TABLE outbox ADD COLUMN file_name TEXT CHECK (
  file_name IS NULL OR (
    length(file_name) = 36 AND file_name GLOB '*.eml'
    AND substr(file_name, 1, 32) NOT GLOB '*[^0-9a-f]*'
  )
);
ALTER TABLE outbox ADD COLUMN file_size INTEGER CHECK (
  (file_name IS NULL AND file_size IS NULL) OR file_size > 0
);
CREATE UNIQUE INDEX outbox_file_name ON outbox (file_name) WHERE file_name IS NOT NULL;
`;

export const outboxFiles: Migration = {
  version: 11,
  name: 'outbox-files',
  up(db) {
    db.exec(SCHEMA);
  },
};
