// Newest-first search through date-ordered FTS5 rowids. The hits must equal a plain sort of
// every match by (date, id). The cases: equal dates, missing Date headers, dates outside the
// rowid's range, moved and deleted messages, and messages indexed out of id order.

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Connection } from '../src/connection.ts';
import { applyMigrations } from '../src/migrate.ts';
import { MIGRATIONS } from '../src/migrations/index.ts';
import type { SearchQuery } from '../src/index.ts';
import { MAX_PREFIX_TERMS } from '../src/repositories/search-prefix.ts';
import { SLOT_BITS } from '../src/search-rowid.ts';
import { Store } from '../src/store.ts';
import { EMPTY_SEARCH_DOCUMENT, receivedMessage, seedFolder } from './helpers.ts';

/** Returns a seeded PRNG (mulberry32), so a failure repeats with the same corpus. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const WORDS = ['harbour', 'budget', 'glacier', 'violin', 'orchard'];
const DAY = 86_400_000;

interface Indexed {
  id: number;
  folderId: number;
  date: number;
  words: string[];
  signed: boolean;
}

describe('search newest first', () => {
  let db: Database.Database;
  let store: Store;
  let accountId: number;
  let inbox: number;
  let archive: number;
  beforeEach(() => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    const connection = new Connection(db, 'test.db');
    store = new Store(connection, applyMigrations(connection, MIGRATIONS).toVersion);
    ({ accountId, folderId: inbox } = seedFolder(store));
    archive = seedFolder(store, 'alice@example.org', 'Archive').folderId;
  });
  afterEach(() => store.close());

  /** Stores a message; `date` null leaves the Date header out, so INTERNALDATE counts. */
  const insert = (folderId: number, uid: number, date: number | null, internal: number) =>
    store.messages.insertReceived(
      receivedMessage(folderId, uid, {
        date: date === null ? null : new Date(date),
        internalDate: new Date(internal),
      }),
    ).id;

  /** Every message matching all words, sorted as search must return them. */
  const expected = (messages: Indexed[], words: string[], keep = (_: Indexed) => true) =>
    messages
      .filter((message) => words.every((word) => message.words.includes(word)) && keep(message))
      .sort((a, b) => b.date - a.date || b.id - a.id)
      .map((message) => message.id);

  const ids = (query: SearchQuery) => store.searchIndex.search(query).map((hit) => hit.messageId);

  it('equals a full sort on a random corpus', () => {
    const random = mulberry32(7);
    const messages: Indexed[] = [];
    // Few distinct dates, so most messages share their date with others.
    const dates = [0, 1, 2, 3, 5, 8].map((day) => Date.UTC(2025, 0, 1) + day * DAY);
    for (let uid = 1; uid <= 400; uid += 1) {
      const folderId = random() < 0.3 ? archive : inbox;
      const header = random() < 0.2 ? null : dates[Math.floor(random() * dates.length)]!;
      const internal = dates[Math.floor(random() * dates.length)]! + 1_000;
      const id = insert(folderId, uid, header, internal);
      const words = WORDS.filter(() => random() < 0.5);
      messages.push({
        id,
        folderId,
        date: header ?? internal,
        words,
        signed: random() < 0.5,
      });
    }
    // Indexed in a shuffled order, as the queue does when bodies arrive out of UID order.
    const order = [...messages].sort(() => random() - 0.5);
    for (const message of order) {
      store.searchIndex.index(message.id, {
        ...EMPTY_SEARCH_DOCUMENT,
        body: message.words.join(' '),
        signed: message.signed,
      });
    }

    for (const words of [['harbour'], ['budget', 'violin'], ['orchard', 'glacier', 'harbour']]) {
      const text = words.join(' ');
      for (const limit of [1, 7, 50, 1_000]) {
        expect(ids({ text, accountId, limit })).toEqual(expected(messages, words).slice(0, limit));
      }
      expect(ids({ text, accountId, folderId: archive, limit: 20 })).toEqual(
        expected(messages, words, (message) => message.folderId === archive).slice(0, 20),
      );
      expect(ids({ text, signed: true, limit: 20 })).toEqual(
        expected(messages, words, (message) => message.signed).slice(0, 20),
      );
      const since = dates[2]!;
      const before = dates[4]!;
      expect(ids({ text, since: new Date(since), before: new Date(before), limit: 30 })).toEqual(
        expected(
          messages,
          words,
          (message) => message.date >= since && message.date < before,
        ).slice(0, 30),
      );
    }
    expect(ids({ accountId, limit: 25 })).toEqual(expected(messages, []).slice(0, 25));
  });

  it('orders equal dates by id', () => {
    const date = Date.UTC(2025, 5, 1);
    const first = insert(inbox, 1, date, date);
    const second = insert(inbox, 2, date, date);
    const third = insert(inbox, 3, date, date);
    for (const id of [second, third, first]) {
      store.searchIndex.index(id, { ...EMPTY_SEARCH_DOCUMENT, body: 'harbour' });
    }
    expect(ids({ text: 'harbour' })).toEqual([third, second, first]);
    expect(ids({ text: 'harbour', limit: 2 })).toEqual([third, second]);
    expect(ids({ text: 'harbour', limit: 1 })).toEqual([third]);
  });

  it('uses INTERNALDATE without a Date header', () => {
    const dated = insert(inbox, 1, Date.UTC(2025, 0, 10), Date.UTC(2025, 0, 1));
    const undated = insert(inbox, 2, null, Date.UTC(2025, 0, 5));
    const newest = insert(inbox, 3, null, Date.UTC(2025, 0, 20));
    for (const id of [dated, undated, newest]) {
      store.searchIndex.index(id, { ...EMPTY_SEARCH_DOCUMENT, body: 'harbour' });
    }
    expect(ids({ text: 'harbour' })).toEqual([newest, dated, undated]);
  });

  it('orders dates beyond the rowid range', () => {
    // Years of about 275,000 and -198,000 share the last and first date bucket with other far dates.
    const far = [8.6e15, 8.5e15, -6.3e15, -6.2e15, Date.UTC(2025, 0, 1)];
    const stored = far.map((date, index) => ({ date, id: insert(inbox, index + 1, date, 0) }));
    for (const message of [...stored].reverse()) {
      store.searchIndex.index(message.id, { ...EMPTY_SEARCH_DOCUMENT, body: 'harbour' });
    }
    const newestFirst = [...stored].sort((a, b) => b.date - a.date).map((message) => message.id);
    expect(ids({ text: 'harbour' })).toEqual(newestFirst);
    expect(ids({ text: 'harbour', limit: 1 })).toEqual(newestFirst.slice(0, 1));
    expect(ids({ text: 'harbour', since: new Date(8.55e15) })).toEqual(newestFirst.slice(0, 1));
  });

  it('gives ids of the same slot distinct rowids', () => {
    // Message ids that differ by 2^SLOT_BITS start at the same slot of one date bucket.
    const date = Date.UTC(2025, 0, 1);
    const insertWithId = db.prepare(
      `INSERT INTO messages (id, account_id, folder_id, uid_validity, uid, size, flags,
         internal_date, date, kind, created_at)
       VALUES (?, ?, ?, 7, ?, 1, '[]', ?, ?, 'plain', 0)`,
    );
    const low = 5;
    const high = 5 + 2 ** SLOT_BITS;
    insertWithId.run(low, accountId, inbox, 1, date, date);
    insertWithId.run(high, accountId, inbox, 2, date, date);
    store.searchIndex.index(high, { ...EMPTY_SEARCH_DOCUMENT, body: 'harbour' });
    store.searchIndex.index(low, { ...EMPTY_SEARCH_DOCUMENT, body: 'harbour' });
    expect(ids({ text: 'harbour' })).toEqual([high, low]);
    // Rowids exceed 2^53, so they are read as BigInt.
    const rowids = db
      .prepare('SELECT fts_rowid FROM search_documents')
      .pluck()
      .safeIntegers(true)
      .all();
    expect(new Set(rowids).size).toBe(2);
  });

  it('finds a moved message once, in its new folder', () => {
    const date = Date.UTC(2025, 0, 1);
    const original = insert(inbox, 1, date, date);
    store.searchIndex.index(original, { ...EMPTY_SEARCH_DOCUMENT, body: 'harbour' });
    // A move stores the message again under a new id when sync fetches it from the target.
    store.messageSync.removeByUids(inbox, 7, [1]);
    const moved = insert(archive, 1, date, date);
    store.searchIndex.index(moved, { ...EMPTY_SEARCH_DOCUMENT, body: 'harbour' });

    expect(ids({ text: 'harbour' })).toEqual([moved]);
    expect(ids({ text: 'harbour', folderId: inbox })).toEqual([]);
    expect(ids({ text: 'harbour', folderId: archive })).toEqual([moved]);
    expect(db.prepare('SELECT count(*) FROM search_index').pluck().get()).toBe(1);
  });

  it('finds a message moved in place', () => {
    const date = Date.UTC(2025, 0, 1);
    const id = insert(inbox, 1, date, date);
    store.searchIndex.index(id, { ...EMPTY_SEARCH_DOCUMENT, body: 'harbour' });
    // A move that keeps the local id changes the folder of the row.
    db.prepare('UPDATE messages SET folder_id = ? WHERE id = ?').run(archive, id);

    expect(ids({ text: 'harbour', folderId: archive })).toEqual([id]);
    expect(ids({ text: 'harbour', folderId: inbox })).toEqual([]);
    expect(ids({ folderId: archive })).toEqual([id]);
    expect(store.searchIndex.listQueued(10)).toEqual([]);
  });

  it('drops the text of a deleted message', () => {
    const date = Date.UTC(2025, 0, 1);
    const kept = insert(inbox, 1, date, date);
    const deleted = insert(inbox, 2, date, date);
    for (const id of [kept, deleted])
      store.searchIndex.index(id, { ...EMPTY_SEARCH_DOCUMENT, body: 'harbour' });
    store.messageSync.removeByUids(inbox, 7, [2]);

    expect(ids({ text: 'harbour' })).toEqual([kept]);
    expect(db.prepare('SELECT count(*) FROM search_index').pluck().get()).toBe(1);
    expect(db.prepare('SELECT count(*) FROM search_documents').pluck().get()).toBe(1);
  });

  it('moves the text when the date changes', () => {
    const older = insert(inbox, 1, Date.UTC(2025, 0, 1), 0);
    const newer = insert(inbox, 2, Date.UTC(2025, 0, 2), 0);
    store.searchIndex.index(older, { ...EMPTY_SEARCH_DOCUMENT, body: 'harbour', depth: 'full' });
    store.searchIndex.index(newer, { ...EMPTY_SEARCH_DOCUMENT, body: 'harbour', depth: 'full' });
    db.prepare('UPDATE messages SET date = ? WHERE id = ?').run(Date.UTC(2025, 0, 3), older);

    expect(store.searchIndex.listQueued(10)).toEqual([older]);
    // The queue indexes the outer text again, which keeps the full text at the new rowid.
    store.searchIndex.index(older, {
      ...EMPTY_SEARCH_DOCUMENT,
      body: 'outer only',
      depth: 'outer',
    });
    expect(store.searchIndex.depthOf(older)).toBe('full');
    expect(ids({ text: 'harbour' })).toEqual([older, newer]);
    expect(ids({ text: 'harbour', limit: 1 })).toEqual([older]);
  });

  it('expands the last word into index terms', () => {
    const date = Date.UTC(2025, 0, 1);
    const bodies = [
      'glacier',
      'glacial lake',
      'glad',
      'Glacé cherry',
      'gl',
      // More words with the prefix "many" than MAX_PREFIX_TERMS.
      Array.from({ length: MAX_PREFIX_TERMS + 1 }, (_, index) => `many${index}`).join(' '),
      'many',
    ];
    const stored = bodies.map((body, index) => {
      const id = insert(inbox, index + 1, date + index * DAY, date);
      store.searchIndex.index(id, { ...EMPTY_SEARCH_DOCUMENT, body });
      return id;
    });
    const [glacier, glacial, glad, glace, gl, manyWords, many] = stored;

    expect(ids({ text: 'glac' })).toEqual([glace, glacial, glacier]);
    expect(ids({ text: 'GLA' })).toEqual([glace, glad, glacial, glacier]);
    expect(ids({ text: 'gl' })).toEqual([gl, glace, glad, glacial, glacier]);
    expect(ids({ text: 'lake glac' })).toEqual([glacial]);
    expect(ids({ text: 'glacé' })).toEqual([glace]);
    expect(ids({ text: 'glaz' })).toEqual([]);
    expect(ids({ text: 'many' })).toEqual([many, manyWords]);
    expect(ids({ text: 'many3' })).toEqual([manyWords]);
  });

  it('rejects indexing a deleted message', () => {
    expect(() => store.searchIndex.index(99, EMPTY_SEARCH_DOCUMENT)).toThrow(
      expect.objectContaining({ code: 'MESSAGE_NOT_FOUND' }) as Error,
    );
  });
});
