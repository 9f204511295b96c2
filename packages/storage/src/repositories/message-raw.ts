// Reading a message's raw bytes: from `message_raw`, or for a body that sync stored, from its
// sealed record in a body pack (`message_bodies`, body-packs.ts). A record that fails its check
// sends the message back to headers only, so the next sync fetches the body again.

import type { BodyPacks } from '../body-packs.ts';
import type { Connection } from '../connection.ts';
import { StorageError } from '../errors.ts';

/** A message_raw row joined with its body pack record, whose columns are null without one. */
interface PackedRawRow {
  raw: Buffer;
  pack: string | null;
  record_offset: number | null;
  record_length: number | null;
  record_key: Buffer | null;
}

/**
 * Returns the raw bytes of message `id` exactly as stored, or null when it has none. A body in
 * a pack that fails its integrity check raises MESSAGE_BODY_DAMAGED.
 */
export function readRaw(
  connection: Connection,
  packs: BodyPacks | null,
  id: number,
): Buffer | null {
  const row = connection.read(`read raw message ${id}`, (db) =>
    db
      .prepare(
        `SELECT r.raw, b.pack, b.record_offset, b.record_length, b.record_key
         FROM message_raw r LEFT JOIN message_bodies b ON b.message_id = r.message_id
         WHERE r.message_id = ?`,
      )
      .get(id),
  ) as PackedRawRow | undefined;
  if (!row) return null;
  if (row.pack === null) return row.raw;
  if (packs === null) {
    throw new StorageError(
      'INVALID_STATE',
      `The body of message ${id} is in a body pack, but this store is in memory and has none.`,
    );
  }
  const record = {
    pack: row.pack,
    offset: row.record_offset!,
    length: row.record_length!,
    key: row.record_key!,
  };
  try {
    return packs.read(record, id);
  } catch (error) {
    if (error instanceof StorageError && error.code === 'MESSAGE_BODY_DAMAGED') {
      const next = forgetBody(connection, id)
        ? 'The next sync fetches it from the server again.'
        : 'It is fetched again once its pending move or delete has reached the server: run a sync, then read it again.';
      throw new StorageError('MESSAGE_BODY_DAMAGED', `${error.message} ${next}`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    record.key.fill(0);
  }
}

/** Returns the names of the body packs that some message refers to. */
export function listPackNames(connection: Connection): Set<string> {
  const rows = connection.read('list body pack names', (db) =>
    db.prepare('SELECT DISTINCT pack FROM message_bodies').raw().all(),
  ) as [string][];
  return new Set(rows.map((row) => row[0]));
}

/**
 * Puts message `id` back to headers only, which message_raw still contains, and returns true.
 * A message without a UID (a move not yet on the server) cannot be fetched again, so it keeps
 * its record, and each read reports the damage until the move has its UID.
 */
function forgetBody(connection: Connection, id: number): boolean {
  return connection.write(`forget the damaged body of message ${id}`, (db) => {
    const changes = db
      .prepare(
        `UPDATE messages SET body_state = 'headers',
           size = (SELECT length(raw) FROM message_raw WHERE message_id = ?)
         WHERE id = ? AND uid IS NOT NULL`,
      )
      .run(id, id).changes;
    if (changes === 0) return false;
    db.prepare('DELETE FROM message_bodies WHERE message_id = ?').run(id);
    db.prepare('DELETE FROM search_queue WHERE message_id = ?').run(id);
    return true;
  });
}
