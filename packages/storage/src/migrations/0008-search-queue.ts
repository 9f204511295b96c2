// Migration 8: the search indexing queue. Sync stores a message's body and queues its id here
// in the same transaction; the indexer (SearchService.indexPending in core) takes ids in
// batches, writes their FTS5 entries and removes them, so indexing is no longer part of sync.

import type { Migration } from './migration.ts';

const SCHEMA = `
CREATE TABLE search_queue (
  message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  queued_at INTEGER NOT NULL
) STRICT;
`;

export const searchQueue: Migration = {
  version: 8,
  name: 'search-queue',
  up(db) {
    db.exec(SCHEMA);
  },
};
