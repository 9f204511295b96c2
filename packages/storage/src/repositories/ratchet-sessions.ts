// RatchetSessionRepository: the `ratchet_sessions` table (migration 4). `advance` writes a
// session's new state in the same transaction as the caller's record of the message that
// produced it, so a crash can neither reuse a message key nor lose a message.
// The state bytes are opaque here; crypto-core encodes and decodes them.

import type { Connection, SqliteDatabase } from '../connection.ts';
import { fromMillis } from '../connection.ts';
import { StorageError } from '../errors.ts';
import { normalizeAddress, rejectUnknownKeys, requireBytes, requireInteger } from '../validate.ts';

export interface RatchetSession {
  id: string;
  localAddress: string;
  peerAddress: string;
  state: Uint8Array;
  active: boolean;
  generation: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface AdvanceOptions {
  /** Insert the session (it was just started) instead of updating it. */
  create?: { localAddress: string; peerAddress: string };
  /** Reject the write with INVALID_STATE unless the stored generation still equals this. */
  expectedGeneration?: number;
  /** Make this the one session that sends to its peer. */
  activate?: boolean;
  /** Sessions of the same peer to delete in the same transaction. */
  dropSessionIds?: string[];
}

interface SessionRow {
  id: string;
  local_address: string;
  peer_address: string;
  state: Buffer;
  active: number;
  generation: number;
  created_at: number;
  updated_at: number;
}

export class RatchetSessionRepository {
  constructor(private readonly connection: Connection) {}

  /**
   * Writes `state` for `sessionId` and runs `work` in one transaction, then returns what `work`
   * returned. `work` must be synchronous; if it throws, neither the state nor its writes persist.
   */
  advance<T>(sessionId: string, state: Uint8Array, work: () => T, options: AdvanceOptions = {}): T {
    const id = requireSessionId(sessionId, 'sessionId');
    requireBytes(state, 'state');
    rejectUnknownKeys(
      options,
      ['create', 'expectedGeneration', 'activate', 'dropSessionIds'],
      'options',
    );
    const create = options.create && {
      localAddress: normalizeAddress(options.create.localAddress, 'options.create.localAddress'),
      peerAddress: normalizeAddress(options.create.peerAddress, 'options.create.peerAddress'),
    };
    const dropIds = (options.dropSessionIds ?? []).map((drop) =>
      requireSessionId(drop, 'dropSessionIds'),
    );
    if (options.expectedGeneration !== undefined) {
      requireInteger(
        options.expectedGeneration,
        1,
        Number.MAX_SAFE_INTEGER,
        'options.expectedGeneration',
      );
    }

    return this.connection.write(`advance ratchet session ${id}`, (db) => {
      const now = Date.now();
      if (create) {
        db.prepare(
          `INSERT INTO ratchet_sessions (id, local_address, peer_address, state, active, generation,
             created_at, updated_at) VALUES (?, ?, ?, ?, 0, 1, ?, ?)`,
        ).run(id, create.localAddress, create.peerAddress, state, now, now);
      } else {
        const row = requireRow(db, id);
        if (
          options.expectedGeneration !== undefined &&
          row.generation !== options.expectedGeneration
        ) {
          throw new StorageError(
            'INVALID_STATE',
            `Ratchet session ${id} is at generation ${row.generation}, not ${options.expectedGeneration}: ` +
              'another writer advanced it. Read the session again and repeat the operation.',
          );
        }
        db.prepare(
          'UPDATE ratchet_sessions SET state = ?, generation = generation + 1, updated_at = ? WHERE id = ?',
        ).run(state, now, id);
      }

      const row = requireRow(db, id);
      if (options.activate) {
        db.prepare(
          'UPDATE ratchet_sessions SET active = 0 WHERE local_address = ? AND peer_address = ? AND id <> ?',
        ).run(row.local_address, row.peer_address, id);
        db.prepare('UPDATE ratchet_sessions SET active = 1 WHERE id = ?').run(id);
      }
      for (const dropId of dropIds) {
        db.prepare(
          'DELETE FROM ratchet_sessions WHERE id = ? AND local_address = ? AND peer_address = ? AND active = 0',
        ).run(dropId, row.local_address, row.peer_address);
      }
      return work();
    });
  }

  get(sessionId: string): RatchetSession | null {
    const id = requireSessionId(sessionId, 'sessionId');
    return this.connection.read(`get ratchet session ${id}`, (db) => {
      const row = db.prepare('SELECT * FROM ratchet_sessions WHERE id = ?').get(id) as
        SessionRow | undefined;
      return row ? toSession(row) : null;
    });
  }

  /** Lists every session kept with a peer, the active one first. */
  listForPeer(localAddress: string, peerAddress: string): RatchetSession[] {
    const local = normalizeAddress(localAddress, 'localAddress');
    const peer = normalizeAddress(peerAddress, 'peerAddress');
    return this.connection.read(`list ratchet sessions of ${local} with ${peer}`, (db) => {
      const rows = db
        .prepare(
          `SELECT * FROM ratchet_sessions WHERE local_address = ? AND peer_address = ?
           ORDER BY active DESC, created_at DESC`,
        )
        .all(local, peer) as SessionRow[];
      return rows.map(toSession);
    });
  }

  /** Deletes a session, for example when its peer's certificate was revoked. */
  remove(sessionId: string): void {
    const id = requireSessionId(sessionId, 'sessionId');
    this.connection.write(`remove ratchet session ${id}`, (db) => {
      db.prepare('DELETE FROM ratchet_sessions WHERE id = ?').run(id);
    });
  }

  /** Deletes every session of any local address with `peerAddress` and returns how many. */
  removeWithPeer(peerAddress: string): number {
    const peer = normalizeAddress(peerAddress, 'peerAddress');
    return this.connection.write(`remove ratchet sessions with ${peer}`, (db) => {
      return db.prepare('DELETE FROM ratchet_sessions WHERE peer_address = ?').run(peer).changes;
    });
  }

  /** Deletes every session of `localAddress` with any peer and returns how many. */
  removeForLocal(localAddress: string): number {
    const local = normalizeAddress(localAddress, 'localAddress');
    return this.connection.write(`remove ratchet sessions of ${local}`, (db) => {
      return db.prepare('DELETE FROM ratchet_sessions WHERE local_address = ?').run(local).changes;
    });
  }
}

function requireSessionId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{32}$/.test(value)) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `${field}: expected a ratchet session id of 32 lowercase hex digits, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function requireRow(db: SqliteDatabase, id: string): SessionRow {
  const row = db.prepare('SELECT * FROM ratchet_sessions WHERE id = ?').get(id) as
    SessionRow | undefined;
  if (!row) {
    throw new StorageError(
      'RATCHET_SESSION_NOT_FOUND',
      `Ratchet session ${id} not found. Pass options.create for a session that was just started.`,
    );
  }
  return row;
}

function toSession(row: SessionRow): RatchetSession {
  return {
    id: row.id,
    localAddress: row.local_address,
    peerAddress: row.peer_address,
    state: new Uint8Array(row.state),
    active: row.active === 1,
    generation: row.generation,
    createdAt: fromMillis(row.created_at),
    updatedAt: fromMillis(row.updated_at),
  };
}
