// Migration 14: the body of a received message may be sealed in a body pack beside the database
// (body-packs.ts) instead of the `message_raw` row, which then keeps only the header section.
// Storing bodies in SQLCipher pages made up most of an initial sync's time. The record key
// lives only in this row, so deleting the row makes the record unreadable. Bodies stored before
// this version stay in message_raw.

import type { Migration } from './migration.ts';

// pack: 32 lowercase hex digits and ".pack", a plain name inside the bodies folder.
// record_length counts the nonce and the tag (28 bytes) around the body.
const SCHEMA = `
CREATE TABLE message_bodies (
  message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  pack TEXT NOT NULL CHECK (
    length(pack) = 37 AND pack GLOB '*.pack'
    AND substr(pack, 1, 32) NOT GLOB '*[^0-9a-f]*'
  ),
  record_offset INTEGER NOT NULL CHECK (record_offset >= 0),
  record_length INTEGER NOT NULL CHECK (record_length >= 28),
  record_key BLOB NOT NULL CHECK (length(record_key) = 32)
) STRICT;

CREATE INDEX message_bodies_pack ON message_bodies (pack);
`;

export const messageBodies: Migration = {
  version: 14,
  name: 'message-bodies',
  up(db) {
    db.exec(SCHEMA);
  },
};
