import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Connection } from '../../src/connection.ts';
import { applyMigrations, readSchemaVersion } from '../../src/migrate.ts';
import { MIGRATIONS } from '../../src/migrations/index.ts';
import { openDatabase } from '../../src/index.ts';
import { accountInput, makeTempDir, receivedMessage, seedFolder } from '../helpers.ts';

function migrateTo(db: Database.Database, version: number): void {
  applyMigrations(new Connection(db, ':memory:'), MIGRATIONS.slice(0, version));
}

function columnNames(db: Database.Database, table: string): string[] {
  return (
    db.prepare('SELECT name FROM pragma_table_xinfo(?)').all(table) as { name: string }[]
  ).map((row) => row.name);
}

describe('migration 0003 sync-search', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrateTo(db, 3);
  });
  afterEach(() => db.close());

  it('records schema version 3', () => {
    expect(readSchemaVersion(new Connection(db, ':memory:'))).toBe(3);
  });

  it('adds the sync columns', () => {
    expect(columnNames(db, 'messages')).toEqual(
      expect.arrayContaining(['body_state', 'server_size']),
    );
    expect(columnNames(db, 'outbox')).toContain('next_attempt_at');
  });

  it('creates the queue, index tables and trigger', () => {
    const names = db
      .prepare(`SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all() as { type: string; name: string }[];
    expect(names).toEqual(
      expect.arrayContaining([
        { type: 'table', name: 'pending_actions' },
        { type: 'table', name: 'search_documents' },
        { type: 'table', name: 'search_index' },
        { type: 'index', name: 'messages_body_pending' },
        { type: 'index', name: 'pending_actions_account' },
        { type: 'index', name: 'pending_actions_message' },
        { type: 'trigger', name: 'messages_search_cleanup' },
      ]),
    );
    const strict = db
      .prepare(
        `SELECT name, strict FROM pragma_table_list WHERE name IN ('pending_actions', 'search_documents')`,
      )
      .all();
    expect(strict).toEqual(
      expect.arrayContaining([
        { name: 'pending_actions', strict: 1 },
        { name: 'search_documents', strict: 1 },
      ]),
    );
  });

  it('checks body_state, kinds and JSON payloads', () => {
    db.exec(`INSERT INTO accounts (id, email, imap_host, imap_port, imap_security, imap_user,
        smtp_host, smtp_port, smtp_security, smtp_user, sealed_password, created_at)
      VALUES (1, 'a@example.org', 'h', 993, 'tls', 'a', 'h', 587, 'starttls', 'a', x'01', 0)`);
    db.exec(`INSERT INTO folders (id, account_id, path) VALUES (1, 1, 'INBOX')`);
    const action = (kind: string, payload: string, uid = 1) =>
      db
        .prepare(
          `INSERT INTO pending_actions (account_id, folder_id, uid_validity, uid, kind, payload, created_at)
           VALUES (1, 1, 7, ?, ?, ?, 0)`,
        )
        .run(uid, kind, payload);
    expect(() => action('flags', '{"add":[]}')).not.toThrow();
    expect(() => action('copy', '{}')).toThrow(/CHECK constraint failed/);
    expect(() => action('move', 'not json')).toThrow(/CHECK constraint failed/);
    expect(() => action('expunge', '{}', 0)).toThrow(/CHECK constraint failed/);
  });
});

describe('migration 0003 on a database written at 0002', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('keeps accounts, messages and outbox entries', () => {
    const file = `${temp.dir}/mail.db`;
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 2) });
    expect(old.schemaVersion).toBe(2);
    const { accountId, folderId } = seedFolder(old);
    const queued = old.outbox.enqueue({
      accountId,
      raw: Buffer.from('Subject: queued\r\n\r\nbody\r\n'),
      envelopeFrom: 'alice@example.org',
      envelopeTo: ['bob@example.net'],
    });
    old.close();
    // The repositories write the newest schema, so the message is stored as 0002 stored it.
    const stored = insertAtVersion2(file, accountId, folderId);

    const store = openDatabase(file);
    try {
      expect(store.schemaVersion).toBe(MIGRATIONS.length);
      expect(store.accounts.getByEmail(accountInput().email)?.id).toBe(accountId);
      const message = store.messages.get(stored.id)!;
      expect(message.uid).toBe(42);
      expect(message.flags).toEqual(['\\Seen']);
      expect(Buffer.from(store.messages.getRaw(stored.id)).toString('latin1')).toContain('body 42');
      // Messages stored before 0003 always had their whole body.
      expect(store.messageSync.hasBody(stored.id)).toBe(true);
      expect(store.messageSync.countBodyPending(folderId)).toBe(0);
      // Queued entries from before 0003 are due at once.
      expect(store.outboxSchedule.listDue(accountId, new Date(0))).toEqual([queued.id]);
      expect(store.outboxSchedule.nextAttemptAt(queued.id)).toBeNull();
      expect(store.pendingActions.listByAccount(accountId)).toEqual([]);
      expect(store.searchIndex.depthOf(stored.id)).toBeNull();
    } finally {
      store.close();
    }
  });
});

/** Inserts UID 42 of `folderId` with the 0001 messages columns, raw bytes in the row. */
function insertAtVersion2(file: string, accountId: number, folderId: number): { id: number } {
  const db = new Database(file);
  try {
    const raw = receivedMessage(folderId, 42).raw;
    const result = db
      .prepare(
        `INSERT INTO messages (account_id, folder_id, uid_validity, uid, raw, size, flags,
           internal_date, kind, created_at)
         VALUES (?, ?, 7, 42, ?, ?, ?, 0, 'plain', 0)`,
      )
      .run(accountId, folderId, raw, raw.byteLength, JSON.stringify(['\\Seen']));
    return { id: Number(result.lastInsertRowid) };
  } finally {
    db.close();
  }
}
