// SearchIndexRepository: full-text search (SQLite FTS5) over subject, sender, recipients and
// body, with filters on folder, sender, date range, attachment, encryption and signature.
// NOTE: the index contains decrypted text. It lives in this database so that the encryption
// at rest of the database covers it; never copy it elsewhere.

import type { Connection } from '../connection.ts';
import { StorageError } from '../errors.ts';
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
   * entry is never replaced by 'outer'.
   */
  index(messageId: number, document: SearchDocument): void {
    requireId(messageId, 'messageId');
    this.connection.write(`index message ${messageId}`, (db) => {
      db.prepare('DELETE FROM search_queue WHERE message_id = ?').run(messageId);
      const existing = db
        .prepare('SELECT depth FROM search_documents WHERE message_id = ?')
        .get(messageId) as { depth: string } | undefined;
      if (existing?.depth === 'full' && document.depth === 'outer') return;

      db.prepare('DELETE FROM search_index WHERE rowid = ?').run(messageId);
      db.prepare(
        'INSERT INTO search_index (rowid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)',
      ).run(messageId, document.subject, document.sender, document.recipients, document.body);
      db.prepare(
        `INSERT INTO search_documents (message_id, has_attachment, encrypted, signed, depth, indexed_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET has_attachment = excluded.has_attachment,
           encrypted = excluded.encrypted, signed = excluded.signed, depth = excluded.depth,
           indexed_at = excluded.indexed_at`,
      ).run(
        messageId,
        Number(document.hasAttachment),
        Number(document.encrypted),
        Number(document.signed),
        document.depth,
        Date.now(),
      );
    });
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
    const match = toMatchExpression(query.text ?? '');
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
          '(instr(lower(m.from_address), ?) > 0 OR m.id IN (SELECT rowid FROM search_index WHERE search_index MATCH ?))',
        );
        values.push(lowered, `sender : "${words.join(' ')}"*`);
      }
    }
    if (query.since !== undefined) {
      where.push('coalesce(m.date, m.internal_date) >= ?');
      values.push(requireDate(query.since, 'query.since'));
    }
    if (query.before !== undefined) {
      where.push('coalesce(m.date, m.internal_date) < ?');
      values.push(requireDate(query.before, 'query.before'));
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

    const read = (sql: string, bound: unknown[]) =>
      (
        this.connection.read('search messages', (db) => db.prepare(sql).all(...bound)) as {
          messageId: number;
          folderId: number;
          date: number;
          rank: number;
        }[]
      ).map((row) => ({ ...row, date: new Date(row.date) }));
    const columns = `m.id AS messageId, m.folder_id AS folderId,
      coalesce(m.date, m.internal_date) AS date`;
    const filters = where.map((condition) => ` AND ${condition}`).join('');

    const order = query.order ?? 'newest';
    if (order !== 'newest' && order !== 'relevance') {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `query.order: expected "newest" or "relevance", got ${JSON.stringify(order)}.`,
      );
    }

    // Newest first: messages_effective_date is read backwards and each message checked against
    // the FTS5 matches, so a frequent word stops after `limit` hits. INDEXED BY and the unary +
    // keep SQLite from fetching every match through another index and sorting them instead.
    if (match === null || order === 'newest') {
      const matches =
        match === null
          ? ''
          : ' AND +m.id IN (SELECT rowid FROM search_index WHERE search_index MATCH ?)';
      return read(
        `SELECT ${columns}, 0 AS rank
         FROM messages m INDEXED BY messages_effective_date
         JOIN search_documents d ON d.message_id = m.id
         WHERE 1${matches}${filters}
         ORDER BY coalesce(m.date, m.internal_date) DESC, m.id DESC LIMIT ?`,
        [...(match === null ? [] : [match]), ...values, limit],
      );
    }

    // First the best-ranked FTS5 matches alone (FTS5 sorts by rank itself), then the filters on
    // those candidates, so a word found in most messages joins a few hundred rows, not all.
    const candidates = read(
      `SELECT ${columns}, s.rank AS rank
       FROM (SELECT rowid AS id, rank FROM search_index WHERE search_index MATCH ?
             ORDER BY rank LIMIT ?) s
       JOIN search_documents d ON d.message_id = s.id
       JOIN messages m ON m.id = s.id
       WHERE 1${filters}
       ORDER BY s.rank, m.id DESC LIMIT ?`,
      [match, limit * CANDIDATE_FACTOR, ...values, limit],
    );
    if (candidates.length === limit) return candidates;

    // Fewer hits than the limit: the filters dropped candidates, or there are fewer matches.
    // NOTE: a frequent word with a narrow filter (one folder, a date range) takes this path,
    // which ranks every match, as the query did before the candidate step.
    return read(
      `SELECT ${columns}, s.rank AS rank
       FROM search_index s JOIN search_documents d ON d.message_id = s.rowid
       JOIN messages m ON m.id = s.rowid
       WHERE search_index MATCH ?${filters}
       ORDER BY s.rank, m.id DESC LIMIT ?`,
      [match, ...values, limit],
    );
  }
}

/**
 * Turns user words into an FTS5 expression that matches all of them. Each word is quoted, so
 * FTS5 operators and column filters in the input are searched as text and cannot break the
 * query; the last word also matches as a prefix.
 */
export function toMatchExpression(text: string): string | null {
  if (typeof text !== 'string' || text.length > MAX_QUERY_LENGTH) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `query.text: expected text of at most ${MAX_QUERY_LENGTH} characters.`,
    );
  }
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words.map((word, index) => `"${word}"${index === words.length - 1 ? '*' : ''}`).join(' ');
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
