// MessageRepository: the `messages` table and the raw bytes, which contain the message exactly
// as the server returned it (RFC 5322 bytes, usually ciphertext) and are never modified. They
// are in `message_raw`, or sealed in a body pack (`message_bodies`, body-packs.ts) when sync
// stored the body. The decryption and verification result is written later into `result`.
// Re-syncing the same (folder, UIDVALIDITY, UID) finds the stored row instead of adding a
// second one.

import type { Connection, SqliteDatabase } from '../connection.ts';
import { fromMillis, toMillis } from '../connection.ts';
import { StorageError } from '../errors.ts';
import type { BodyPacks } from '../body-packs.ts';
import { listPackNames, readRaw } from './message-raw.ts';
import {
  rejectUnknownKeys,
  requireBytes,
  requireId,
  requireInteger,
  requireUint32,
} from '../validate.ts';

import { MESSAGE_KINDS } from './message-types.ts';
import type {
  JsonValue,
  MessageKind,
  MessageContent,
  ReceivedMessage,
  InsertReceivedResult,
  StoredMessage,
  FolderCounts,
  Page,
} from './message-types.ts';

interface MessageRow {
  id: number;
  account_id: number;
  folder_id: number;
  uid_validity: number | null;
  uid: number | null;
  message_id: string | null;
  size: number;
  flags: string;
  internal_date: number;
  from_address: string | null;
  subject: string | null;
  date: number | null;
  kind: MessageKind;
  result: string | null;
  /** Absent in databases before migration 13. */
  read_subject?: string | null;
  created_at: number;
}

const DEFAULT_PAGE_SIZE = 100;
const SEEN_FLAG = '\\Seen';
const MAX_PAGE_SIZE = 10_000;

const COLUMNS = `id, account_id, folder_id, uid_validity, uid, message_id, size, flags, internal_date,
  from_address, subject, date, kind, result, read_subject, created_at`;

export class MessageRepository {
  constructor(
    private readonly connection: Connection,
    /** The body packs of a store in a file; null for a store in memory. */
    private readonly packs: BodyPacks | null = null,
  ) {}

  /**
   * Stores a message fetched from the server, or returns the id already stored for the same
   * (folder, UIDVALIDITY, UID). Throws INVALID_STATE when uidValidity differs from the folder's
   * current one, because the UID would then name a different message.
   */
  insertReceived(message: ReceivedMessage): InsertReceivedResult {
    const content = checkContent(message);
    const uidValidity = requireUint32(message.uidValidity, 'message.uidValidity');
    const uid = requireUint32(message.uid, 'message.uid');

    const operation = `store message UID ${uid} of folder ${content.folderId}`;
    return this.connection.write(operation, (db) => {
      const folder = requireFolder(db, content.folderId);
      if (folder.uid_validity !== uidValidity) {
        throw new StorageError(
          'INVALID_STATE',
          `Folder ${content.folderId} has UIDVALIDITY ${String(folder.uid_validity)}, but message UID ${uid} ` +
            `came with ${uidValidity}. Call resetUidValidity with the server's value before storing.`,
        );
      }

      const result = db
        .prepare(
          `INSERT INTO messages (account_id, folder_id, uid_validity, uid, message_id, size, flags,
             internal_date, from_address, subject, date, kind, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (folder_id, uid_validity, uid) WHERE uid IS NOT NULL DO NOTHING`,
        )
        .run(folder.account_id, content.folderId, uidValidity, uid, ...contentValues(content));
      if (result.changes === 1) {
        const id = Number(result.lastInsertRowid);
        insertRaw(db, id, content.raw);
        return { id, inserted: true };
      }

      const existing = db
        .prepare('SELECT id FROM messages WHERE folder_id = ? AND uid_validity = ? AND uid = ?')
        .get(content.folderId, uidValidity, uid) as { id: number };
      return { id: existing.id, inserted: false };
    });
  }

  /**
   * Stores a local copy without a UID, e.g. a sent message before it is appended to the Sent
   * folder. Call assignUid once the server returned its UID (APPENDUID, RFC 4315).
   * NOTE: without UIDPLUS the next sync stores the server's copy as a second row, because
   * nothing here matches rows by Message-ID.
   */
  insertLocal(message: MessageContent): number {
    const content = checkContent(message);
    return this.connection.write(`store local message in folder ${content.folderId}`, (db) => {
      const folder = requireFolder(db, content.folderId);
      const result = db
        .prepare(
          `INSERT INTO messages (account_id, folder_id, uid_validity, uid, message_id, size, flags,
             internal_date, from_address, subject, date, kind, created_at)
           VALUES (?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(folder.account_id, content.folderId, ...contentValues(content));
      const id = Number(result.lastInsertRowid);
      insertRaw(db, id, content.raw);
      return id;
    });
  }

  /** Gives a local copy the UID the server assigned. Throws CONSTRAINT_FAILED if that UID is stored. */
  assignUid(id: number, server: { uidValidity: number; uid: number }): void {
    requireId(id, 'id');
    const uidValidity = requireUint32(server.uidValidity, 'uidValidity');
    const uid = requireUint32(server.uid, 'uid');
    this.connection.write(`assign UID ${uid} to message ${id}`, (db) => {
      const changes = db
        .prepare('UPDATE messages SET uid_validity = ?, uid = ? WHERE id = ?')
        .run(uidValidity, uid, id).changes;
      if (changes === 0) throw notFound(id);
    });
  }

  /**
   * Moves message `id` to `folderId` of the same account and clears its UID, so it is a local
   * copy until assignUid records the UID the server gave it in that folder. The id stays.
   */
  moveToFolder(id: number, folderId: number): void {
    requireId(id, 'id');
    requireId(folderId, 'folderId');
    this.connection.write(`move message ${id} to folder ${folderId}`, (db) => {
      const changes = db
        .prepare('UPDATE messages SET folder_id = ?, uid_validity = NULL, uid = NULL WHERE id = ?')
        .run(folderId, id).changes;
      if (changes === 0) throw notFound(id);
    });
  }

  /** Deletes message `id` if it is a local copy without a UID; returns whether it was deleted. */
  removeLocalCopy(id: number): boolean {
    requireId(id, 'id');
    return this.connection.write(`remove local copy ${id}`, (db) => {
      return db.prepare('DELETE FROM messages WHERE id = ? AND uid IS NULL').run(id).changes > 0;
    });
  }

  get(id: number): StoredMessage | null {
    requireId(id, 'id');
    const row = this.connection.read(`get message ${id}`, (db) =>
      db.prepare(`SELECT ${COLUMNS} FROM messages WHERE id = ?`).get(id),
    ) as MessageRow | undefined;
    return row ? toMessage(row) : null;
  }

  /**
   * Returns the raw bytes exactly as stored. Throws MESSAGE_NOT_FOUND for an unknown id, and
   * MESSAGE_BODY_DAMAGED for a body in a pack that fails its check (see readRaw).
   */
  getRaw(id: number): Buffer {
    requireId(id, 'id');
    const raw = readRaw(this.connection, this.packs, id);
    if (raw === null) throw notFound(id);
    return raw;
  }

  /** Returns the names of the body packs that some message refers to. */
  listPackNames(): Set<string> {
    return listPackNames(this.connection);
  }

  /** Lists a folder's messages, newest INTERNALDATE first. */
  listByFolder(folderId: number, page: Page = {}): StoredMessage[] {
    requireId(folderId, 'folderId');
    const { limit, offset } = checkPage(page);
    const rows = this.connection.read(`list messages of folder ${folderId}`, (db) =>
      db
        .prepare(
          `SELECT ${COLUMNS} FROM messages WHERE folder_id = ?
           ORDER BY internal_date DESC, id DESC LIMIT ? OFFSET ?`,
        )
        .all(folderId, limit, offset),
    ) as MessageRow[];
    return rows.map(toMessage);
  }

  /** Lists an account's messages across folders, newest INTERNALDATE first. */
  listByAccount(accountId: number, page: Page = {}): StoredMessage[] {
    requireId(accountId, 'accountId');
    const { limit, offset } = checkPage(page);
    const rows = this.connection.read(`list messages of account ${accountId}`, (db) =>
      db
        .prepare(
          `SELECT ${COLUMNS} FROM messages WHERE account_id = ?
           ORDER BY internal_date DESC, id DESC LIMIT ? OFFSET ?`,
        )
        .all(accountId, limit, offset),
    ) as MessageRow[];
    return rows.map(toMessage);
  }

  /** Stores the decryption and verification result as JSON, replacing an earlier one. */
  setResult(id: number, result: JsonValue): void {
    requireId(id, 'id');
    const json = JSON.stringify(result);
    if (json === undefined) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `result: expected a JSON value, got ${String(result)}.`,
      );
    }
    this.connection.write(`store result of message ${id}`, (db) => {
      const changes = db
        .prepare('UPDATE messages SET result = ? WHERE id = ?')
        .run(json, id).changes;
      if (changes === 0) throw notFound(id);
    });
  }

  /**
   * Stores the Subject that a successful read showed, where '' means the message has none.
   * It replaces an earlier one, because a later read may have verified more.
   */
  setReadSubject(id: number, subject: string): void {
    requireId(id, 'id');
    if (typeof subject !== 'string') {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `subject: expected a string ('' for no Subject), got ${typeof subject}.`,
      );
    }
    this.connection.write(`store read subject of message ${id}`, (db) => {
      const changes = db
        .prepare('UPDATE messages SET read_subject = ? WHERE id = ?')
        .run(subject, id).changes;
      if (changes === 0) throw notFound(id);
    });
  }

  /**
   * Counts a folder's messages and those without the \Seen flag (unread, RFC 9051 section
   * 2.3.2) in one query, so folder lists need not load the rows that listByFolder returns.
   */
  countByFolder(folderId: number): FolderCounts {
    requireId(folderId, 'folderId');
    const row = this.connection.read(`count messages of folder ${folderId}`, (db) =>
      db
        .prepare(
          `SELECT COUNT(*) AS total,
             COALESCE(SUM(NOT EXISTS (
               SELECT 1 FROM json_each(messages.flags) WHERE json_each.value = ?)), 0) AS unread
           FROM messages WHERE folder_id = ?`,
        )
        .get(SEEN_FLAG, folderId),
    ) as FolderCounts;
    return { total: row.total, unread: row.unread };
  }

  /** Replaces the IMAP flags, e.g. after a FETCH FLAGS or a CONDSTORE change. */
  updateFlags(id: number, flags: string[]): void {
    requireId(id, 'id');
    const json = JSON.stringify(checkFlags(flags));
    this.connection.write(`update flags of message ${id}`, (db) => {
      const changes = db
        .prepare('UPDATE messages SET flags = ? WHERE id = ?')
        .run(json, id).changes;
      if (changes === 0) throw notFound(id);
    });
  }
}

type CheckedContent = MessageContent & { raw: Uint8Array };

function checkContent(message: MessageContent): CheckedContent {
  requireId(message.folderId, 'message.folderId');
  requireBytes(message.raw, 'message.raw');
  checkFlags(message.flags);
  toMillis(message.internalDate, 'message.internalDate');
  if (message.date !== null) toMillis(message.date, 'message.date');
  if (!MESSAGE_KINDS.includes(message.kind)) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `message.kind: expected one of ${MESSAGE_KINDS.join(', ')}, got ${JSON.stringify(message.kind)}.`,
    );
  }
  return message;
}

/** Lists the bound values from message_id to created_at, in the column order of the INSERTs. */
function contentValues(content: CheckedContent): unknown[] {
  return [
    content.messageId,
    content.raw.byteLength,
    JSON.stringify(content.flags),
    content.internalDate.getTime(),
    content.fromAddress,
    content.subject,
    content.date === null ? null : content.date.getTime(),
    content.kind,
    Date.now(),
  ];
}

/** Stores the raw bytes of the message row `id` inserted in the same transaction. */
export function insertRaw(db: SqliteDatabase, id: number, raw: Uint8Array): void {
  db.prepare('INSERT INTO message_raw (message_id, raw) VALUES (?, ?)').run(id, raw);
}

function checkFlags(flags: unknown): string[] {
  if (!Array.isArray(flags) || !flags.every((flag) => typeof flag === 'string' && flag !== '')) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `flags: expected an array of flag names, got ${JSON.stringify(flags)}.`,
    );
  }
  return flags as string[];
}

function checkPage(page: Page): { limit: number; offset: number } {
  rejectUnknownKeys(page, ['limit', 'offset'], 'page');
  return {
    limit: requireInteger(page.limit ?? DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, 'page.limit'),
    offset: requireInteger(page.offset ?? 0, 0, Number.MAX_SAFE_INTEGER, 'page.offset'),
  };
}

function requireFolder(
  db: SqliteDatabase,
  folderId: number,
): { account_id: number; uid_validity: number | null } {
  const folder = db
    .prepare('SELECT account_id, uid_validity FROM folders WHERE id = ?')
    .get(folderId) as { account_id: number; uid_validity: number | null } | undefined;
  if (!folder) {
    throw new StorageError(
      'FOLDER_NOT_FOUND',
      `Folder ${folderId} not found. Save the folder before storing its messages.`,
    );
  }
  return folder;
}

function notFound(id: number): StorageError {
  return new StorageError(
    'MESSAGE_NOT_FOUND',
    `Message ${id} not found. It may have been expunged; list the folder again.`,
  );
}

function toMessage(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    accountId: row.account_id,
    folderId: row.folder_id,
    uidValidity: row.uid_validity,
    uid: row.uid,
    messageId: row.message_id,
    size: row.size,
    flags: JSON.parse(row.flags) as string[],
    internalDate: fromMillis(row.internal_date),
    fromAddress: row.from_address,
    subject: row.subject,
    date: fromMillis(row.date),
    kind: row.kind,
    result: row.result === null ? null : (JSON.parse(row.result) as JsonValue),
    readSubject: row.read_subject ?? null,
    createdAt: fromMillis(row.created_at),
  };
}
