// PendingActionRepository: the `pending_actions` table, the offline queue of changes the app
// made to messages on the server (flags, moves, expunges). Each action names its message by
// (folder, UIDVALIDITY, UID), is replayed in id order, and is removed once the server
// confirmed it, so an action made offline or cut off by a dropped connection is never lost.

import type { Connection } from '../connection.ts';
import { fromMillis } from '../connection.ts';
import { StorageError } from '../errors.ts';
import { requireId, requireOneOf, requireText, requireUint32 } from '../validate.ts';
import type { JsonValue } from './message-types.ts';

export type PendingActionKind = 'flags' | 'move' | 'expunge';

export const PENDING_ACTION_KINDS: readonly PendingActionKind[] = ['flags', 'move', 'expunge'];

export interface NewPendingAction {
  accountId: number;
  folderId: number;
  uidValidity: number;
  uid: number;
  kind: PendingActionKind;
  /** 'flags': { add, remove }; 'move': { targetPath }; 'expunge': {}. */
  payload: JsonValue;
}

export interface PendingAction extends NewPendingAction {
  id: number;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

interface PendingActionRow {
  id: number;
  account_id: number;
  folder_id: number;
  uid_validity: number;
  uid: number;
  kind: PendingActionKind;
  payload: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
}

export class PendingActionRepository {
  constructor(private readonly connection: Connection) {}

  enqueue(action: NewPendingAction): PendingAction {
    const accountId = requireId(action.accountId, 'action.accountId');
    const folderId = requireId(action.folderId, 'action.folderId');
    const uidValidity = requireUint32(action.uidValidity, 'action.uidValidity');
    const uid = requireUint32(action.uid, 'action.uid');
    const kind = requireOneOf(action.kind, PENDING_ACTION_KINDS, 'action.kind');
    const payload = JSON.stringify(action.payload);
    if (payload === undefined) {
      throw new StorageError('INVALID_ARGUMENT', 'action.payload: expected a JSON value.');
    }

    return this.connection.write(`queue ${kind} action for UID ${uid}`, (db) => {
      const result = db
        .prepare(
          `INSERT INTO pending_actions (account_id, folder_id, uid_validity, uid, kind, payload, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(accountId, folderId, uidValidity, uid, kind, payload, Date.now());
      const row = db
        .prepare('SELECT * FROM pending_actions WHERE id = ?')
        .get(Number(result.lastInsertRowid)) as PendingActionRow;
      return toAction(row);
    });
  }

  /** Lists an account's actions in the order they were made. */
  listByAccount(accountId: number): PendingAction[] {
    requireId(accountId, 'accountId');
    const rows = this.connection.read(`list pending actions of account ${accountId}`, (db) =>
      db.prepare('SELECT * FROM pending_actions WHERE account_id = ? ORDER BY id').all(accountId),
    ) as PendingActionRow[];
    return rows.map(toAction);
  }

  /** Removes an action the server confirmed, or one that can no longer apply. */
  remove(id: number): void {
    requireId(id, 'id');
    this.connection.write(`remove pending action ${id}`, (db) => {
      db.prepare('DELETE FROM pending_actions WHERE id = ?').run(id);
    });
  }

  /** Counts a failed replay and keeps the action for the next one. */
  recordFailure(id: number, error: string): void {
    requireId(id, 'id');
    const message = requireText(error, 'error');
    this.connection.write(`record failure of pending action ${id}`, (db) => {
      db.prepare(
        'UPDATE pending_actions SET attempts = attempts + 1, last_error = ? WHERE id = ?',
      ).run(message, id);
    });
  }
}

function toAction(row: PendingActionRow): PendingAction {
  return {
    id: row.id,
    accountId: row.account_id,
    folderId: row.folder_id,
    uidValidity: row.uid_validity,
    uid: row.uid,
    kind: row.kind,
    payload: JSON.parse(row.payload) as JsonValue,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: fromMillis(row.created_at),
  };
}
