import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Connection } from '../../src/connection.ts';
import { Store } from '../../src/store.ts';
import { insertAccountAndInbox, migrate } from './migration-helpers.ts';

// Enough messages with repeated dates and missing Date headers that the copy has to place
// several messages in one date bucket.
const MESSAGE_COUNT = 300;
const DAY = 86_400_000;

interface Seeded {
  id: number;
  date: number;
  body: string;
  depth: 'outer' | 'full';
}

/** Writes messages and their index entries the way schema 9 stores them (rowid = message id). */
function seedAtVersion9(db: Database.Database): Seeded[] {
  insertAccountAndInbox(db);
  const insertMessage = db.prepare(
    `INSERT INTO messages (account_id, folder_id, uid_validity, uid, message_id, size, flags,
       internal_date, from_address, subject, date, kind, created_at, body_state, server_size)
     VALUES (1, 1, 7, ?, ?, 100, '[]', ?, ?, 'subject', ?, 'plain', 0, 'complete', 100)`,
  );
  const insertText = db.prepare(
    'INSERT INTO search_index (rowid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)',
  );
  const insertDocument = db.prepare(
    `INSERT INTO search_documents (message_id, has_attachment, encrypted, signed, depth, indexed_at)
     VALUES (?, ?, 0, ?, ?, 0)`,
  );
  const seeded: Seeded[] = [];
  db.exec('BEGIN');
  for (let uid = 1; uid <= MESSAGE_COUNT; uid += 1) {
    const internal = Date.UTC(2025, 0, 1) + (uid % 11) * DAY;
    const header = uid % 5 === 0 ? null : Date.UTC(2025, 0, 1) + (uid % 7) * DAY;
    const id = Number(
      insertMessage.run(
        uid,
        `<${uid}@example.org>`,
        internal,
        `person${uid % 4}@example.org`,
        header,
      ).lastInsertRowid,
    );
    const body = `${uid % 2 === 0 ? 'harbour' : 'glacier'} ${uid % 3 === 0 ? 'budget' : ''}`;
    const depth = uid % 4 === 0 ? 'outer' : 'full';
    insertText.run(id, `subject ${uid}`, `person${uid % 4}@example.org`, '', body);
    insertDocument.run(id, uid % 9 === 0 ? 1 : 0, uid % 2, depth);
    seeded.push({ id, date: header ?? internal, body, depth });
  }
  // The last message waits in the indexing queue, as sync leaves it.
  db.prepare(
    `INSERT INTO messages (account_id, folder_id, uid_validity, uid, size, flags, internal_date,
       kind, created_at) VALUES (1, 1, 7, 1000, 1, '[]', 0, 'plain', 0)`,
  ).run();
  db.prepare(
    'INSERT INTO search_queue (message_id, queued_at) SELECT max(id), 0 FROM messages',
  ).run();
  db.exec('COMMIT');
  return seeded;
}

describe('migration 0010 search-date-rowid', () => {
  let db: Database.Database;
  let seeded: Seeded[];
  beforeEach(() => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, 9);
    seeded = seedAtVersion9(db);
    migrate(db, 10);
  });
  afterEach(() => db.close());

  const store = () => new Store(new Connection(db, 'test.db'), 10);
  const newestFirst = (keep: (message: Seeded) => boolean) =>
    seeded
      .filter(keep)
      .sort((a, b) => b.date - a.date || b.id - a.id)
      .map((message) => message.id);

  it('finds text indexed at version 9 newest first', () => {
    const ids = (text: string, limit: number) =>
      store()
        .searchIndex.search({ text, limit })
        .map((hit) => hit.messageId);
    expect(ids('harbour', 1_000)).toEqual(
      newestFirst((message) => message.body.includes('harbour')),
    );
    expect(ids('glacier budget', 13)).toEqual(
      newestFirst((message) => message.body === 'glacier budget').slice(0, 13),
    );
    expect(ids('subject', 40)).toEqual(newestFirst(() => true).slice(0, 40));
  });

  it('keeps flags, depth and the queue', () => {
    const migrated = store();
    expect(migrated.searchIndex.search({ hasAttachment: true, limit: 1_000 })).toHaveLength(
      seeded.filter((_, index) => (index + 1) % 9 === 0).length,
    );
    expect(migrated.searchIndex.search({ signed: true, limit: 1_000 })).toHaveLength(
      MESSAGE_COUNT / 2,
    );
    for (const message of seeded.slice(0, 8)) {
      expect(migrated.searchIndex.depthOf(message.id)).toBe(message.depth);
    }
    expect(migrated.searchIndex.countQueued()).toBe(1);
  });

  it('links every document to one text row', () => {
    const documents = db.prepare('SELECT count(*) FROM search_documents').pluck().get();
    const texts = db.prepare('SELECT count(*) FROM search_index').pluck().get();
    const linked = db
      .prepare(
        'SELECT count(*) FROM search_documents d JOIN search_index s ON s.rowid = d.fts_rowid',
      )
      .pluck()
      .get();
    expect(documents).toBe(MESSAGE_COUNT);
    expect(texts).toBe(MESSAGE_COUNT);
    expect(linked).toBe(MESSAGE_COUNT);
  });

  it('still drops the text of a deleted message', () => {
    const [first] = seeded;
    db.prepare('DELETE FROM messages WHERE id = ?').run(first!.id);
    expect(db.prepare('SELECT count(*) FROM search_index').pluck().get()).toBe(MESSAGE_COUNT - 1);
    expect(
      store()
        .searchIndex.search({ text: 'subject', limit: 1_000 })
        .map((hit) => hit.messageId),
    ).not.toContain(first!.id);
  });

  it('replaces the date index with the search order index', () => {
    const indexes = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'`)
      .pluck()
      .all();
    expect(indexes).toContain('messages_search_order');
    expect(indexes).not.toContain('messages_effective_date');
  });
});
