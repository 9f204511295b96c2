// MessageSyncRepository: the writes IMAP synchronization makes to the `messages` table and
// the raw bytes. Messages arrive headers-first (body_state 'headers', the header section in
// `message_raw`). Their body comes later, sealed in a body pack (`message_bodies`) when the
// store is in a file, and queues them for search indexing (search_queue). Server flag
// changes (RFC 7162 CONDSTORE) and expunges (QRESYNC VANISHED, or a UID SEARCH comparison)
// are applied per (folder, UIDVALIDITY, UID). A flag change that the app made and the server
// has not confirmed yet is kept: the server's older value never overwrites it.

import type { Connection, SqliteDatabase } from '../connection.ts';
import { StorageError } from '../errors.ts';
import type { BodyPacks } from '../body-packs.ts';
import type { MessageKind } from './message-types.ts';
import { MESSAGE_KINDS } from './message-types.ts';
import { insertRaw } from './messages.ts';
import { requireBytes, requireId, requireInteger, requireUint32 } from '../validate.ts';

/** The outer header fields of a message, parsed by the caller. */
export interface HeaderFields {
  messageId: string | null;
  fromAddress: string | null;
  subject: string | null;
  date: Date | null;
  kind: MessageKind;
}

export interface HeaderOnlyMessage extends HeaderFields {
  folderId: number;
  uidValidity: number;
  uid: number;
  /** The header section, up to and including the empty line. */
  header: Uint8Array;
  flags: string[];
  internalDate: Date;
  /** RFC822.SIZE of the whole message. */
  serverSize: number;
}

export interface ServerFlags {
  uid: number;
  flags: string[];
}

/** A message whose body is still to be fetched. */
export interface BodyPending {
  id: number;
  uid: number;
  /** RFC822.SIZE reported with the headers, or null when unknown. */
  serverSize: number | null;
}

export class MessageSyncRepository {
  constructor(
    private readonly connection: Connection,
    /** The body packs of a store in a file; null for a store in memory. */
    private readonly packs: BodyPacks | null = null,
  ) {}

  /**
   * Stores the header section of a message. Returns inserted false when the (folder,
   * UIDVALIDITY, UID) is stored already. Throws INVALID_STATE when uidValidity is not the
   * folder's current one.
   */
  insertHeaders(message: HeaderOnlyMessage): { id: number; inserted: boolean } {
    const folderId = requireId(message.folderId, 'message.folderId');
    const uidValidity = requireUint32(message.uidValidity, 'message.uidValidity');
    const uid = requireUint32(message.uid, 'message.uid');
    const header = requireBytes(message.header, 'message.header');
    const serverSize = requireInteger(message.serverSize, 0, Number.MAX_SAFE_INTEGER, 'serverSize');
    checkKind(message.kind);

    return this.connection.write(`store headers of UID ${uid} in folder ${folderId}`, (db) => {
      const accountId = requireCurrentFolder(db, folderId, uidValidity, uid);
      const result = db
        .prepare(
          `INSERT INTO messages (account_id, folder_id, uid_validity, uid, message_id, size, flags,
             internal_date, from_address, subject, date, kind, created_at, body_state, server_size)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'headers', ?)
           ON CONFLICT (folder_id, uid_validity, uid) WHERE uid IS NOT NULL DO NOTHING`,
        )
        .run(
          accountId,
          folderId,
          uidValidity,
          uid,
          message.messageId,
          header.byteLength,
          JSON.stringify(message.flags),
          message.internalDate.getTime(),
          message.fromAddress,
          message.subject,
          message.date === null ? null : message.date.getTime(),
          message.kind,
          Date.now(),
          serverSize,
        );
      if (result.changes === 1) {
        const id = Number(result.lastInsertRowid);
        insertRaw(db, id, header);
        return { id, inserted: true };
      }
      return { id: selectIdByUid(db, folderId, uidValidity, uid)!, inserted: false };
    });
  }

  /**
   * Stores the whole message and its parsed fields, and queues the message for search indexing
   * (search_queue) in the same transaction. A store in a file seals the message in a body pack
   * and keeps the header section in message_raw. A store in memory replaces that section. Returns false when the
   * message is gone (expunged meanwhile) or its body was stored already.
   */
  completeBody(id: number, raw: Uint8Array, fields: HeaderFields): boolean {
    requireId(id, 'id');
    requireBytes(raw, 'raw');
    checkKind(fields.kind);
    return this.connection.write(`store body of message ${id}`, (db) => {
      const changes = db
        .prepare(
          `UPDATE messages SET size = ?, body_state = 'complete', message_id = ?,
             from_address = ?, subject = ?, date = ?, kind = ?
           WHERE id = ? AND body_state = 'headers'`,
        )
        .run(
          raw.byteLength,
          fields.messageId,
          fields.fromAddress,
          fields.subject,
          fields.date === null ? null : fields.date.getTime(),
          fields.kind,
          id,
        ).changes;
      if (changes === 0) return false;

      if (this.packs === null) {
        db.prepare('UPDATE message_raw SET raw = ? WHERE message_id = ?').run(raw, id);
      } else {
        // A flushed commit flushes the record first (Store, Connection.beforeCommit).
        const record = this.packs.append(raw);
        try {
          db.prepare(
            `INSERT INTO message_bodies (message_id, pack, record_offset, record_length, record_key)
             VALUES (?, ?, ?, ?, ?)`,
          ).run(id, record.pack, record.offset, record.length, record.key);
        } finally {
          record.key.fill(0);
        }
      }
      db.prepare(
        'INSERT INTO search_queue (message_id, queued_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
      ).run(id, Date.now());
      return true;
    });
  }

  /** Lists up to `limit` messages of the folder that have only headers, highest UID first. */
  listBodyPending(folderId: number, limit: number): BodyPending[] {
    requireId(folderId, 'folderId');
    requireInteger(limit, 1, 100_000, 'limit');
    return this.connection.read(`list messages without body in folder ${folderId}`, (db) =>
      db
        .prepare(
          `SELECT id, uid, server_size AS serverSize FROM messages
           WHERE folder_id = ? AND body_state = 'headers'
           ORDER BY uid DESC LIMIT ?`,
        )
        .all(folderId, limit),
    ) as BodyPending[];
  }

  /** Counts the folder's messages that have only headers. */
  countBodyPending(folderId: number): number {
    requireId(folderId, 'folderId');
    const row = this.connection.read(`count messages without body in folder ${folderId}`, (db) =>
      db
        .prepare(
          `SELECT count(*) AS n FROM messages WHERE folder_id = ? AND body_state = 'headers'`,
        )
        .get(folderId),
    ) as { n: number };
    return row.n;
  }

  /** Returns whether the stored message has its body, or null when no such message exists. */
  hasBody(id: number): boolean | null {
    requireId(id, 'id');
    const row = this.connection.read(`read body state of message ${id}`, (db) =>
      db.prepare('SELECT body_state FROM messages WHERE id = ?').get(id),
    ) as { body_state: string } | undefined;
    return row ? row.body_state === 'complete' : null;
  }

  /** Returns the UIDs stored for the folder under `uidValidity`, ascending. */
  listUids(folderId: number, uidValidity: number): number[] {
    requireId(folderId, 'folderId');
    requireUint32(uidValidity, 'uidValidity');
    const rows = this.connection.read(`list UIDs of folder ${folderId}`, (db) =>
      db
        .prepare(
          'SELECT uid FROM messages WHERE folder_id = ? AND uid_validity = ? AND uid IS NOT NULL ORDER BY uid',
        )
        .raw()
        .all(folderId, uidValidity),
    ) as [number][];
    return rows.map((row) => row[0]);
  }

  /**
   * Applies flags the server reported, in one transaction. Messages with a flag change still
   * waiting in pending_actions keep their local flags. Returns the number of rows changed.
   */
  applyServerFlags(folderId: number, uidValidity: number, updates: ServerFlags[]): number {
    requireId(folderId, 'folderId');
    requireUint32(uidValidity, 'uidValidity');
    if (updates.length === 0) return 0;
    return this.connection.write(`apply server flags in folder ${folderId}`, (db) => {
      const update = db.prepare(
        `UPDATE messages SET flags = ?
         WHERE folder_id = ? AND uid_validity = ? AND uid = ? AND flags <> ?
           AND NOT EXISTS (SELECT 1 FROM pending_actions p
             WHERE p.folder_id = messages.folder_id AND p.uid_validity = messages.uid_validity
               AND p.uid = messages.uid AND p.kind = 'flags')`,
      );
      let changed = 0;
      for (const { uid, flags } of updates) {
        const json = JSON.stringify([...flags].sort());
        changed += update.run(json, folderId, uidValidity, uid, json).changes;
      }
      return changed;
    });
  }

  /** Deletes the messages with these UIDs (expunged on the server). Returns how many were stored. */
  removeByUids(folderId: number, uidValidity: number, uids: readonly number[]): number {
    requireId(folderId, 'folderId');
    requireUint32(uidValidity, 'uidValidity');
    if (uids.length === 0) return 0;
    return this.connection.write(`remove expunged messages of folder ${folderId}`, (db) => {
      const remove = db.prepare(
        'DELETE FROM messages WHERE folder_id = ? AND uid_validity = ? AND uid = ?',
      );
      let removed = 0;
      for (const uid of uids) removed += remove.run(folderId, uidValidity, uid).changes;
      return removed;
    });
  }
}

function checkKind(kind: MessageKind): void {
  if (!MESSAGE_KINDS.includes(kind)) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `kind: expected one of ${MESSAGE_KINDS.join(', ')}, got ${JSON.stringify(kind)}.`,
    );
  }
}

function selectIdByUid(
  db: SqliteDatabase,
  folderId: number,
  uidValidity: number,
  uid: number,
): number | null {
  const row = db
    .prepare('SELECT id FROM messages WHERE folder_id = ? AND uid_validity = ? AND uid = ?')
    .get(folderId, uidValidity, uid) as { id: number } | undefined;
  return row ? row.id : null;
}

/** Returns the folder's account id after checking that uidValidity is the folder's current one. */
function requireCurrentFolder(
  db: SqliteDatabase,
  folderId: number,
  uidValidity: number,
  uid: number,
): number {
  const folder = db
    .prepare('SELECT account_id, uid_validity FROM folders WHERE id = ?')
    .get(folderId) as { account_id: number; uid_validity: number | null } | undefined;
  if (!folder) {
    throw new StorageError(
      'FOLDER_NOT_FOUND',
      `Folder ${folderId} not found. Save the folder before storing its messages.`,
    );
  }
  if (folder.uid_validity !== uidValidity) {
    throw new StorageError(
      'INVALID_STATE',
      `Folder ${folderId} has UIDVALIDITY ${String(folder.uid_validity)}, but UID ${uid} came with ` +
        `${uidValidity}. Call resetUidValidity with the server's value before storing.`,
    );
  }
  return folder.account_id;
}
