// SearchIndexRepository: full-text search (SQLite FTS5) over subject, sender, recipients and
// body, with filters on folder, sender, date range, attachment, encryption and signature.
// NOTE: the index contains decrypted text. It lives in this database so that the encryption
// at rest of the database covers it; never copy it elsewhere.

import type { Connection, SqliteDatabase } from '../connection.ts';
import { StorageError } from '../errors.ts';
import {
  allocateSearchRowid,
  bucketRange,
  dateBucket,
  inBucket,
  SLOT_BITS,
} from '../search-rowid.ts';
import { prefixTerms } from './search-prefix.ts';
import { rejectUnknownKeys, requireId, requireInteger } from '../validate.ts';

export interface SearchDocument {
  subject: string;
  sender: string;
  recipients: string;
  body: string;
  hasAttachment: boolean;
  encrypted: boolean;
  signed: boolean;
  /** 'outer': what the server sees too (encrypted mail before decryption); 'full': all text. */
  depth: 'outer' | 'full';
}

export interface SearchQuery {
  /** Words to find; every word must occur. Empty or absent: filters only. */
  text?: string;
  accountId?: number;
  folderId?: number;
  /**
   * Case-insensitive: a substring of the sender address, or, for a value without "@", also the
   * words of the indexed sender (name and address) in order, the last one as a prefix.
   */
  from?: string;
  /** Inclusive lower bound on the message date (Date header, else INTERNALDATE). */
  since?: Date;
  /** Exclusive upper bound on the message date. */
  before?: Date;
  hasAttachment?: boolean;
  encrypted?: boolean;
  signed?: boolean;
  /** Order of hits with text; without text they are always newest first. Default 'newest'. */
  order?: SearchOrder;
  limit?: number;
}

/**
 * 'newest': newest message date first, as notmuch and most mail clients sort. 'relevance':
 * FTS5 bm25, best match first; it scores every match, so a word found in most of 100,000
 * messages takes hundreds of milliseconds (BENCHMARKS.md, "Sync and search").
 */
export type SearchOrder = 'newest' | 'relevance';

export interface SearchHit {
  messageId: number;
  folderId: number;
  date: Date;
  /** FTS5 bm25 rank with order 'relevance', lower is better; otherwise 0. */
  rank: number;
}

const QUERY_KEYS = [
  'text',
  'accountId',
  'folderId',
  'from',
  'since',
  'before',
  'hasAttachment',
  'encrypted',
  'signed',
  'order',
  'limit',
];
const MAX_QUERY_LENGTH = 1_000;
const DEFAULT_LIMIT = 50;
/** Best-ranked FTS5 matches read per requested hit before the other filters apply. */
const CANDIDATE_FACTOR = 8;

export class SearchIndexRepository {
  constructor(private readonly connection: Connection) {}

  /**
   * Indexes a message, replacing an earlier entry, and takes it off the indexing queue. A 'full'
   * entry is never replaced by 'outer', but it moves to a rowid of the message's current date.
   */
  index(messageId: number, document: SearchDocument): void {
    requireId(messageId, 'messageId');
    this.connection.write(`index message ${messageId}`, (db) => {
      db.prepare('DELETE FROM search_queue WHERE message_id = ?').run(messageId);
      const message = db
        .prepare('SELECT coalesce(date, internal_date) AS date FROM messages WHERE id = ?')
        .get(messageId) as { date: number } | undefined;
      if (!message) {
        throw new StorageError(
          'MESSAGE_NOT_FOUND',
          `Message ${messageId} not found; it was deleted before it could be indexed.`,
        );
      }
      const existing = db
        .prepare('SELECT depth, fts_rowid AS ftsRowid FROM search_documents WHERE message_id = ?')
        .safeIntegers(true)
        .get(messageId) as { depth: string; ftsRowid: bigint } | undefined;
      const bucket = dateBucket(message.date);
      const keepRowid = existing !== undefined && inBucket(existing.ftsRowid, bucket);

      if (existing?.depth === 'full' && document.depth === 'outer') {
        if (!keepRowid) this.#moveText(db, messageId, existing.ftsRowid, message.date);
        return;
      }

      if (existing) db.prepare('DELETE FROM search_index WHERE rowid = ?').run(existing.ftsRowid);
      const rowid = keepRowid ? existing.ftsRowid : this.#allocate(db, messageId, message.date);
      db.prepare(
        'INSERT INTO search_index (rowid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)',
      ).run(rowid, document.subject, document.sender, document.recipients, document.body);
      db.prepare(
        `INSERT INTO search_documents
           (message_id, fts_rowid, has_attachment, encrypted, signed, depth, indexed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET fts_rowid = excluded.fts_rowid,
           has_attachment = excluded.has_attachment, encrypted = excluded.encrypted,
           signed = excluded.signed, depth = excluded.depth, indexed_at = excluded.indexed_at`,
      ).run(
        messageId,
        rowid,
        Number(document.hasAttachment),
        Number(document.encrypted),
        Number(document.signed),
        document.depth,
        Date.now(),
      );
    });
  }

  /** Returns a free FTS5 rowid for a message of this date (search-rowid.ts). */
  #allocate(db: SqliteDatabase, messageId: number, dateMs: number): bigint {
    const rowidInUse = db.prepare('SELECT 1 FROM search_documents WHERE fts_rowid = ?');
    const rowid = allocateSearchRowid(messageId, dateMs, (candidate) =>
      Boolean(rowidInUse.get(candidate)),
    );
    if (rowid === null) {
      throw new StorageError(
        'INVALID_STATE',
        `Message ${messageId} cannot be indexed: every search rowid of its date ` +
          `${new Date(dateMs).toISOString()} is taken. Delete messages of that date and retry.`,
      );
    }
    return rowid;
  }

  /** Moves a message's indexed text to a rowid of its current date, keeping the text. */
  #moveText(db: SqliteDatabase, messageId: number, from: bigint, dateMs: number): void {
    const to = this.#allocate(db, messageId, dateMs);
    db.prepare(
      `INSERT INTO search_index (rowid, subject, sender, recipients, body)
       SELECT ?, subject, sender, recipients, body FROM search_index WHERE rowid = ?`,
    ).run(to, from);
    db.prepare('DELETE FROM search_index WHERE rowid = ?').run(from);
    db.prepare('UPDATE search_documents SET fts_rowid = ? WHERE message_id = ?').run(to, messageId);
  }

  /** Lists up to `limit` message ids waiting for indexing, oldest queued first. */
  listQueued(limit: number): number[] {
    requireInteger(limit, 1, 100_000, 'limit');
    const rows = this.connection.read('list messages waiting for indexing', (db) =>
      db
        .prepare('SELECT message_id FROM search_queue ORDER BY queued_at, message_id LIMIT ?')
        .raw()
        .all(limit),
    ) as [number][];
    return rows.map((row) => row[0]);
  }

  /** Counts the messages waiting for indexing. */
  countQueued(): number {
    const row = this.connection.read('count messages waiting for indexing', (db) =>
      db.prepare('SELECT count(*) AS n FROM search_queue').get(),
    ) as { n: number };
    return row.n;
  }

  /** Takes a message off the indexing queue without indexing it (its text cannot be read). */
  dequeue(messageId: number): void {
    requireId(messageId, 'messageId');
    this.connection.write(`drop message ${messageId} from the indexing queue`, (db) => {
      db.prepare('DELETE FROM search_queue WHERE message_id = ?').run(messageId);
    });
  }

  /** Returns the depth a message is indexed at, or null when it is not indexed. */
  depthOf(messageId: number): 'outer' | 'full' | null {
    requireId(messageId, 'messageId');
    const row = this.connection.read(`read index state of message ${messageId}`, (db) =>
      db.prepare('SELECT depth FROM search_documents WHERE message_id = ?').get(messageId),
    ) as { depth: 'outer' | 'full' } | undefined;
    return row?.depth ?? null;
  }

  /**
   * Finds messages, newest first or best match first (query.order). Messages still in
   * search_queue are not found until they are indexed.
   */
  search(query: SearchQuery): SearchHit[] {
    rejectUnknownKeys(query, QUERY_KEYS, 'query');
    const limit = requireInteger(query.limit ?? DEFAULT_LIMIT, 1, 10_000, 'query.limit');
    let match = toMatchExpression(query.text ?? '');
    const where: string[] = [];
    const values: unknown[] = [];

    if (query.accountId !== undefined) {
      where.push('m.account_id = ?');
      values.push(requireId(query.accountId, 'query.accountId'));
    }
    if (query.folderId !== undefined) {
      where.push('m.folder_id = ?');
      values.push(requireId(query.folderId, 'query.folderId'));
    }
    if (query.from !== undefined) {
      const lowered = query.from.toLowerCase();
      const words = lowered.match(/[\p{L}\p{N}_]+/gu) ?? [];
      // An address (anything with "@") is matched in the stored address alone, because the
      // indexed sender phrase would read the huge doclists of words like "example" and "org".
      if (words.length === 0 || lowered.includes('@')) {
        where.push('instr(lower(m.from_address), ?) > 0');
        values.push(lowered);
      } else {
        // The sender column is matched through the index: reading it row by row would load
        // each message's whole indexed text. The words contain no quote, so the phrase is safe.
        where.push(
          `(instr(lower(m.from_address), ?) > 0 OR m.id IN (
             SELECT sd.message_id FROM search_index
             JOIN search_documents sd ON sd.fts_rowid = search_index.rowid
             WHERE search_index MATCH ?))`,
        );
        values.push(lowered, `sender : "${words.join(' ')}"*`);
      }
    }
    const since = query.since === undefined ? undefined : requireDate(query.since, 'query.since');
    const before =
      query.before === undefined ? undefined : requireDate(query.before, 'query.before');
    if (since !== undefined) {
      where.push('coalesce(m.date, m.internal_date) >= ?');
      values.push(since);
    }
    if (before !== undefined) {
      where.push('coalesce(m.date, m.internal_date) < ?');
      values.push(before);
    }
    for (const [key, column] of [
      ['hasAttachment', 'd.has_attachment'],
      ['encrypted', 'd.encrypted'],
      ['signed', 'd.signed'],
    ] as const) {
      const value = query[key];
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      values.push(value ? 1 : 0);
    }

    const order = query.order ?? 'newest';
    if (order !== 'newest' && order !== 'relevance') {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `query.order: expected "newest" or "relevance", got ${JSON.stringify(order)}.`,
      );
    }
    const filters = where.map((condition) => ` AND ${condition}`).join('');

    if (match === null) return this.#searchByDate(filters, values, limit, query.accountId);
    if (order === 'newest') {
      // An OR of the terms the last word starts with streams in rowid order, unlike a prefix
      // query. bm25 scores the two forms differently, so relevance order keeps the prefix.
      const words = wordsOf(query.text ?? '');
      const terms = this.connection.read('expand the last search word', (db) =>
        prefixTerms(db, words.at(-1)!),
      );
      if (terms?.length === 0) return [];
      if (terms) match = toMatchExpression(query.text ?? '', terms)!;

      // The rowid follows the date, so a date range also bounds the rowids FTS5 reads.
      const range: string[] = [];
      const bounds: bigint[] = [];
      if (since !== undefined) {
        range.push(' AND s.rowid >= ?');
        bounds.push(bucketRange(dateBucket(since)).first);
      }
      if (before !== undefined) {
        range.push(' AND s.rowid <= ?');
        bounds.push(bucketRange(dateBucket(before)).last);
      }
      return this.#searchNewest(match, range.join('') + filters, [...bounds, ...values], limit);
    }
    return this.#searchRelevance(match, filters, values, limit);
  }

  /**
   * Without words: reads messages_search_order backwards and stops at the limit. That index
   * contains the date, folder and sender address, so only the search_documents row is read
   * per message. Without an account the rows are sorted instead.
   */
  #searchByDate(
    filters: string,
    values: unknown[],
    limit: number,
    accountId: number | undefined,
  ): SearchHit[] {
    const indexed = accountId === undefined ? '' : ' INDEXED BY messages_search_order';
    return this.#read(
      `SELECT ${COLUMNS}, 0 AS rank
       FROM messages m${indexed}
       JOIN search_documents d ON d.message_id = m.id
       WHERE 1${filters}
       ORDER BY coalesce(m.date, m.internal_date) DESC, m.id DESC LIMIT ?`,
      [...values, limit],
    );
  }

  /**
   * Newest first with words: FTS5 returns the matches in descending rowid order, which is
   * date order (search-rowid.ts), and the loop stops after `limit` hits that pass the filters.
   * FTS5 returns the hits of one date bucket in slot order, not id order. So the hits in the
   * bucket of the last one are read too, and a sort puts them in (date, id) order before the cut.
   */
  #searchNewest(match: string, filters: string, values: unknown[], limit: number): SearchHit[] {
    // CROSS JOIN keeps search_index the outer loop, so FTS5 itself delivers the rowid order.
    const sql = `SELECT ${COLUMNS}, s.rowid >> ${SLOT_BITS} AS bucket
      FROM search_index s
      CROSS JOIN search_documents d
      CROSS JOIN messages m
      WHERE search_index MATCH ? AND d.fts_rowid = s.rowid AND m.id = d.message_id${filters}
      ORDER BY s.rowid DESC`;
    const rows = this.connection.read('search messages', (db) => {
      const found: (HitRow & { bucket: number })[] = [];
      let lastBucket: number | null = null;
      for (const row of db.prepare(sql).iterate(match, ...values) as Iterable<
        HitRow & { bucket: number }
      >) {
        if (lastBucket !== null && row.bucket !== lastBucket) break;
        found.push(row);
        if (found.length === limit) lastBucket = row.bucket;
      }
      return found;
    });
    rows.sort((a, b) => b.date - a.date || b.messageId - a.messageId);
    return rows.slice(0, limit).map((row) => toHit({ ...row, rank: 0 }));
  }

  /** Best match first (FTS5 bm25). */
  #searchRelevance(match: string, filters: string, values: unknown[], limit: number): SearchHit[] {
    // First the best-ranked FTS5 matches alone (FTS5 sorts by rank itself), then the filters on
    // those candidates, so a word found in most messages joins a few hundred rows, not all.
    const candidates = this.#read(
      `SELECT ${COLUMNS}, s.rank AS rank
       FROM (SELECT rowid AS ftsRowid, rank FROM search_index WHERE search_index MATCH ?
             ORDER BY rank LIMIT ?) s
       JOIN search_documents d ON d.fts_rowid = s.ftsRowid
       JOIN messages m ON m.id = d.message_id
       WHERE 1${filters}
       ORDER BY s.rank, m.id DESC LIMIT ?`,
      [match, limit * CANDIDATE_FACTOR, ...values, limit],
    );
    if (candidates.length === limit) return candidates;

    // Fewer hits than the limit: the filters dropped candidates, or there are fewer matches.
    // NOTE: a frequent word with a narrow filter (one folder, a date range) takes this path,
    // which ranks every match, as the query did before the candidate step.
    return this.#read(
      `SELECT ${COLUMNS}, s.rank AS rank
       FROM search_index s JOIN search_documents d ON d.fts_rowid = s.rowid
       JOIN messages m ON m.id = d.message_id
       WHERE search_index MATCH ?${filters}
       ORDER BY s.rank, m.id DESC LIMIT ?`,
      [match, ...values, limit],
    );
  }

  #read(sql: string, values: unknown[]): SearchHit[] {
    const rows = this.connection.read('search messages', (db) =>
      db.prepare(sql).all(...values),
    ) as HitRow[];
    return rows.map(toHit);
  }
}

const COLUMNS = `m.id AS messageId, m.folder_id AS folderId,
  coalesce(m.date, m.internal_date) AS date`;

interface HitRow {
  messageId: number;
  folderId: number;
  /** Milliseconds since 1970. */
  date: number;
  rank: number;
}

function toHit(row: HitRow): SearchHit {
  return {
    messageId: row.messageId,
    folderId: row.folderId,
    date: new Date(row.date),
    rank: row.rank,
  };
}

/**
 * Turns user words into an FTS5 expression that matches all of them. Each word is quoted, so
 * FTS5 operators and column filters in the input are searched as text and cannot break the
 * query; the last word also matches as a prefix. `lastWordTerms`, the index terms that start
 * with the last word (search-prefix.ts), replaces that prefix with an OR of those terms.
 */
export function toMatchExpression(text: string, lastWordTerms?: readonly string[]): string | null {
  const words = wordsOf(text);
  if (words.length === 0) return null;
  const phrases = words.slice(0, -1).map((word) => `"${word}"`);
  if (lastWordTerms === undefined || lastWordTerms.length === 0) {
    phrases.push(`"${words.at(-1)!}"*`);
    return phrases.join(' ');
  }
  phrases.push(`(${lastWordTerms.map((term) => `"${term}"`).join(' OR ')})`);
  return phrases.join(' AND ');
}

/** Splits search text into words (letters, digits, underscore) after checking its length. */
function wordsOf(text: string): string[] {
  if (typeof text !== 'string' || text.length > MAX_QUERY_LENGTH) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `query.text: expected text of at most ${MAX_QUERY_LENGTH} characters.`,
    );
  }
  return text.match(/[\p{L}\p{N}_]+/gu) ?? [];
}

function requireDate(value: Date, field: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `${field}: expected a valid Date, got ${String(value)}.`,
    );
  }
  return value.getTime();
}
