// RatchetEntityRepository: the `ratchet_entities` table (migration 6). It stores the decrypted
// MIME entity of each ratchet message, sealed by core, so reading the message again needs no
// message key. Core inserts it inside ratchetSessions.advance, in the transaction that erases
// the message key. The bytes are opaque here.

import type { Connection } from '../connection.ts';
import { StorageError } from '../errors.ts';
import { requireBytes, requireId } from '../validate.ts';

export class RatchetEntityRepository {
  constructor(private readonly connection: Connection) {}

  /** Stores the sealed entity of message `messageId`; a second insert raises CONSTRAINT_FAILED. */
  insert(messageId: number, sessionId: string, sealedEntity: Uint8Array): void {
    const id = requireId(messageId, 'messageId');
    if (!/^[0-9a-f]{32}$/.test(sessionId)) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `sessionId: expected 32 lowercase hex digits, got ${JSON.stringify(sessionId)}.`,
      );
    }
    requireBytes(sealedEntity, 'sealedEntity');
    this.connection.write(`store ratchet entity of message ${id}`, (db) => {
      db.prepare(
        `INSERT INTO ratchet_entities (message_id, session_id, sealed_entity, created_at)
         VALUES (?, ?, ?, ?)`,
      ).run(id, sessionId, sealedEntity, Date.now());
    });
  }

  /** Returns the sealed entity and its session of message `messageId`, or null. */
  get(messageId: number): { sessionId: string; sealedEntity: Uint8Array } | null {
    const id = requireId(messageId, 'messageId');
    return this.connection.read(`get ratchet entity of message ${id}`, (db) => {
      const row = db
        .prepare('SELECT session_id, sealed_entity FROM ratchet_entities WHERE message_id = ?')
        .get(id) as { session_id: string; sealed_entity: Buffer } | undefined;
      return row
        ? { sessionId: row.session_id, sealedEntity: new Uint8Array(row.sealed_entity) }
        : null;
    });
  }
}
