import Database from 'better-sqlite3';
import CipherDatabase from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Connection } from '../../src/connection.ts';
import { applyDatabaseKey } from '../../src/database-key.ts';
import { readSchemaVersion } from '../../src/migrate.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';
import { openDatabase } from '../../src/index.ts';
import { makeTempDir } from '../helpers.ts';
import { insertAccountAndInbox, migrate } from './migration-helpers.ts';

// More messages than one copy batch of the migration (500), and some raw messages larger than
// a database page, so the copy crosses batch borders and overflow pages.
const MESSAGE_COUNT = 1_203;

/** Writes an account, a folder and MESSAGE_COUNT messages the way schema 6 stores them. */
function seedAtVersion6(db: Database.Database): Map<number, Buffer> {
  insertAccountAndInbox(db);
  const insert = db.prepare(
    `INSERT INTO messages (account_id, folder_id, uid_validity, uid, message_id, raw, size, flags,
       internal_date, from_address, subject, date, kind, created_at, body_state, server_size)
     VALUES (1, 1, 7, ?, ?, ?, ?, '["\\\\Seen"]', ?, 'bob@example.net', ?, ?, 'plain', 0, ?, ?)`,
  );
  const raws = new Map<number, Buffer>();
  db.exec('BEGIN');
  for (let uid = 1; uid <= MESSAGE_COUNT; uid += 1) {
    // Binary bytes with CR, LF and NUL; every 50th message spans several pages.
    const raw = randomBytes(uid % 50 === 0 ? 40_000 + uid : 200 + (uid % 300));
    const headersOnly = uid % 100 === 0;
    const result = insert.run(
      uid,
      `<${uid}@example.org>`,
      raw,
      raw.byteLength,
      uid * 1000,
      `subject ${uid}`,
      uid * 1000,
      headersOnly ? 'headers' : 'complete',
      raw.byteLength + 10,
    );
    raws.set(Number(result.lastInsertRowid), raw);
  }
  db.exec('COMMIT');
  return raws;
}

describe('migration 0007 message-raw', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let db: Database.Database;
  beforeEach(() => {
    temp = makeTempDir();
    db = new Database(`${temp.dir}/mail.db`);
    db.pragma('foreign_keys = ON');
    migrate(db, 6);
  });
  afterEach(() => {
    if (db.open) db.close();
    temp.cleanup();
  });

  it('keeps every message with identical raw bytes', () => {
    const raws = seedAtVersion6(db);
    const before = db
      .prepare(
        `SELECT id, uid, message_id, size, flags, internal_date, subject, body_state, server_size
         FROM messages ORDER BY id`,
      )
      .all();

    migrate(db, 7);

    expect(readSchemaVersion(new Connection(db, 'test.db'))).toBe(7);
    const after = db
      .prepare(
        `SELECT id, uid, message_id, size, flags, internal_date, subject, body_state, server_size
         FROM messages ORDER BY id`,
      )
      .all();
    expect(after).toEqual(before);
    const rows = db
      .prepare('SELECT message_id, raw FROM message_raw ORDER BY message_id')
      .all() as {
      message_id: number;
      raw: Buffer;
    }[];
    expect(rows).toHaveLength(MESSAGE_COUNT);
    for (const row of rows) {
      expect(Buffer.compare(row.raw, raws.get(row.message_id)!)).toBe(0);
    }
  });

  it('removes the raw column from messages', () => {
    migrate(db, 7);
    const columns = (
      db.prepare('SELECT name FROM pragma_table_xinfo(?)').all('messages') as { name: string }[]
    ).map((row) => row.name);
    expect(columns).not.toContain('raw');
    expect(columns).toEqual(expect.arrayContaining(['body_state', 'server_size', 'size']));
  });

  it('keeps index entries and ratchet entities of messages', () => {
    seedAtVersion6(db);
    db.prepare(
      `INSERT INTO search_index (rowid, subject, sender, recipients, body)
       VALUES (5, 'harbour', 'bob', 'alice', 'lighthouse')`,
    ).run();
    db.prepare(
      `INSERT INTO search_documents (message_id, has_attachment, encrypted, signed, depth, indexed_at)
       VALUES (5, 0, 0, 0, 'full', 0)`,
    ).run();
    db.prepare(
      `INSERT INTO ratchet_entities (message_id, session_id, sealed_entity, created_at)
       VALUES (6, ?, x'01', 0)`,
    ).run('a'.repeat(32));

    migrate(db, 7);

    expect(db.prepare('SELECT count(*) AS n FROM search_documents').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM ratchet_entities').get()).toEqual({ n: 1 });
    const hits = db
      .prepare(`SELECT rowid FROM search_index WHERE search_index MATCH 'lighthouse'`)
      .all();
    expect(hits).toEqual([{ rowid: 5 }]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('still cascades deletes to raw bytes and index', () => {
    seedAtVersion6(db);
    db.prepare(
      `INSERT INTO search_index (rowid, subject, sender, recipients, body)
       VALUES (5, 'harbour', 'bob', 'alice', 'lighthouse')`,
    ).run();
    migrate(db, 7);

    db.prepare('DELETE FROM messages WHERE id = 5').run();

    expect(db.prepare('SELECT count(*) AS n FROM message_raw WHERE message_id = 5').get()).toEqual({
      n: 0,
    });
    const hits = db
      .prepare(`SELECT rowid FROM search_index WHERE search_index MATCH 'lighthouse'`)
      .all();
    expect(hits).toEqual([]);
  });

  it('recreates the messages indexes', () => {
    migrate(db, 7);
    const names = (
      db
        .prepare(`SELECT name FROM sqlite_schema WHERE tbl_name = 'messages' AND type = 'index'`)
        .all() as { name: string }[]
    ).map((row) => row.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'messages_folder_uid',
        'messages_folder_internal_date',
        'messages_account_internal_date',
        'messages_message_id',
        'messages_body_pending',
      ]),
    );
  });
});

describe('migration 0007 through openDatabase', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('serves raw bytes written at 0006 through getRaw', () => {
    const file = `${temp.dir}/mail.db`;
    const key = randomBytes(32);
    openDatabase(file, { migrations: MIGRATIONS.slice(0, 6), encryptionKey: key }).close();
    const old = openEncrypted(file, key);
    let raws: Map<number, Buffer>;
    try {
      raws = seedAtVersion6(old);
    } finally {
      old.close();
    }

    const store = openDatabase(file, { encryptionKey: key });
    try {
      expect(store.schemaVersion).toBe(MIGRATIONS.length);
      for (const [id, raw] of raws) {
        expect(Buffer.compare(store.messages.getRaw(id), raw)).toBe(0);
      }
      expect(store.messages.get(1)?.size).toBe(raws.get(1)!.byteLength);
    } finally {
      store.close();
    }
  });
});

/** Opens the encrypted file with the key the way openDatabase does, without migrating it. */
function openEncrypted(file: string, key: Uint8Array): Database.Database {
  const db = new CipherDatabase(file) as unknown as Database.Database;
  applyDatabaseKey(db, key, file);
  db.pragma('foreign_keys = ON');
  return db;
}
