// Migration 9: an index on the date search sorts by (the Date header, else INTERNALDATE), so
// a search newest first reads the messages in that order and stops at the limit instead of
// sorting every match.

import type { Migration } from './migration.ts';

const SCHEMA = `
CREATE INDEX messages_effective_date ON messages (coalesce(date, internal_date), id);
`;

export const searchDateIndex: Migration = {
  version: 9,
  name: 'search-date-index',
  up(db) {
    db.exec(SCHEMA);
  },
};
