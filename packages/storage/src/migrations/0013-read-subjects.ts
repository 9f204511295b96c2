// Migration 13: keeps the Subject that reading a message revealed, so a list shows it after a
// restart. For encrypted mail with header protection (RFC 9788) the outer Subject is only a
// placeholder, and read_subject holds the protected one; it stays inside the store's encryption
// at rest, like the search index. An outbox entry keeps the Subject the user wrote.

import type { Migration } from './migration.ts';

// read_subject is NULL until a read succeeded, and '' when the message has no Subject.
const SCHEMA = `
ALTER TABLE messages ADD COLUMN read_subject TEXT;
ALTER TABLE outbox ADD COLUMN subject TEXT;
`;

export const readSubjects: Migration = {
  version: 13,
  name: 'read-subjects',
  up(db) {
    db.exec(SCHEMA);
  },
};
