// MessageFileRepository: the `message_files` table, which links a received message to the
// encrypted file in the data folder that contains its body, with the file's key and plaintext
// size. Storing the link also marks the message complete, in one transaction, so a message is
// never complete without its file. message_raw keeps only the message's header section.

import type { Connection } from '../connection.ts';
import { StorageError } from '../errors.ts';
import { requireId, requireInteger } from '../validate.ts';

/** The encrypted file of a received message. */
export interface ReceivedMessageFile {
  /** Name inside the messages folder: 32 lowercase hex digits and ".msg". */
  name: string;
  /** AES-256 key of the file (32 bytes). The caller owns the returned buffer and wipes it. */
  key: Buffer;
  /** Plaintext length in bytes: the message exactly as the server returned it. */
  size: number;
}

/** A message whose body is still to be fetched and whose RFC822.SIZE is at least a limit. */
export interface LargeBodyPending {
  id: number;
  uid: number;
  serverSize: number;
}

const FILE_NAME = /^[0-9a-f]{32}\.msg$/;

export class MessageFileRepository {
  constructor(private readonly connection: Connection) {}

  /**
   * Links `file` to message `id` and marks it complete. message_raw keeps the header section
   * that the header fetch stored. Returns false when the message is gone (expunged meanwhile)
   * or has its body already; the caller then deletes the file.
   * NOTE: unlike completeBody, this does not queue the message for search indexing, because the
   * indexer parses message_raw. A large message is indexed only when it is read.
   */
  complete(id: number, file: ReceivedMessageFile): boolean {
    requireId(id, 'id');
    checkFile(file);
    return this.connection.write(`store file of message ${id}`, (db) => {
      const changes = db
        .prepare(
          `UPDATE messages SET size = ?, body_state = 'complete'
           WHERE id = ? AND body_state = 'headers'`,
        )
        .run(file.size, id).changes;
      if (changes === 0) return false;

      db.prepare(
        'INSERT INTO message_files (message_id, file_name, file_key, size) VALUES (?, ?, ?, ?)',
      ).run(id, file.name, file.key, file.size);
      return true;
    });
  }

  /** Returns the file of message `id`, or null when its body is in message_raw. */
  get(id: number): ReceivedMessageFile | null {
    requireId(id, 'id');
    const row = this.connection.read(`read file of message ${id}`, (db) =>
      db
        .prepare('SELECT file_name, file_key, size FROM message_files WHERE message_id = ?')
        .get(id),
    ) as { file_name: string; file_key: Buffer; size: number } | undefined;
    return row ? { name: row.file_name, key: row.file_key, size: row.size } : null;
  }

  /** Returns the names of all files that a message refers to. */
  listNames(): Set<string> {
    const rows = this.connection.read('list message file names', (db) =>
      db.prepare('SELECT file_name FROM message_files').raw().all(),
    ) as [string][];
    return new Set(rows.map((row) => row[0]));
  }

  /**
   * Lists up to `limit` messages of the folder that have only headers and whose RFC822.SIZE is
   * at least `minBytes`, highest UID first.
   */
  listLargeBodyPending(folderId: number, minBytes: number, limit: number): LargeBodyPending[] {
    requireId(folderId, 'folderId');
    requireInteger(minBytes, 0, Number.MAX_SAFE_INTEGER, 'minBytes');
    requireInteger(limit, 1, 100_000, 'limit');
    return this.connection.read(`list large messages without body in folder ${folderId}`, (db) =>
      db
        .prepare(
          `SELECT id, uid, server_size AS serverSize FROM messages
           WHERE folder_id = ? AND body_state = 'headers' AND server_size >= ?
           ORDER BY uid DESC LIMIT ?`,
        )
        .all(folderId, minBytes, limit),
    ) as LargeBodyPending[];
  }
}

function checkFile(file: ReceivedMessageFile): void {
  if (typeof file !== 'object' || file === null || !FILE_NAME.test(String(file.name))) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `file.name: expected 32 lowercase hex digits and ".msg", got ${JSON.stringify(file?.name)}.`,
    );
  }
  if (!(file.key instanceof Uint8Array) || file.key.length !== 32) {
    throw new StorageError('INVALID_ARGUMENT', 'file.key: expected 32 bytes (an AES-256 key).');
  }
  requireInteger(file.size, 1, Number.MAX_SAFE_INTEGER, 'file.size');
}
