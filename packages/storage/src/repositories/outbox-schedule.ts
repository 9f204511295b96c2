// OutboxScheduleRepository: retry timing of the `outbox` table. After a temporary failure an
// entry waits until next_attempt_at (backoff chosen by the caller), and entries the server
// accepted stay in state 'sent' until their copy is in the Sent folder. A process that sends
// an entry renews its updated_at (a heartbeat), so an entry left in 'sending' by a process that
// died is distinguished from one that another process is still sending.

import type { Connection } from '../connection.ts';
import { toMillis } from '../connection.ts';
import { requireId } from '../validate.ts';

export class OutboxScheduleRepository {
  constructor(private readonly connection: Connection) {}

  /** Sets the earliest time of the next automatic attempt; null means at once. */
  setNextAttempt(id: number, at: Date | null): void {
    requireId(id, 'id');
    const millis = at === null ? null : toMillis(at, 'at');
    this.connection.write(`schedule outbox entry ${id}`, (db) => {
      db.prepare('UPDATE outbox SET next_attempt_at = ? WHERE id = ?').run(millis, id);
    });
  }

  /** Returns the ids of queued entries of the account whose time has come, oldest first. */
  listDue(accountId: number, now: Date): number[] {
    requireId(accountId, 'accountId');
    const rows = this.connection.read(`list due outbox entries of account ${accountId}`, (db) =>
      db
        .prepare(
          `SELECT id FROM outbox WHERE account_id = ? AND state = 'queued'
             AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
           ORDER BY created_at, id`,
        )
        .raw()
        .all(accountId, toMillis(now, 'now')),
    ) as [number][];
    return rows.map((row) => row[0]);
  }

  /** Returns the ids of entries the server accepted whose Sent copy may still be missing. */
  listSent(accountId: number): number[] {
    requireId(accountId, 'accountId');
    const rows = this.connection.read(`list sent outbox entries of account ${accountId}`, (db) =>
      db
        .prepare(`SELECT id FROM outbox WHERE account_id = ? AND state = 'sent' ORDER BY id`)
        .raw()
        .all(accountId),
    ) as [number][];
    return rows.map((row) => row[0]);
  }

  /** Returns the time of the next automatic attempt, or null when none is scheduled. */
  nextAttemptAt(id: number): Date | null {
    requireId(id, 'id');
    const row = this.connection.read(`read schedule of outbox entry ${id}`, (db) =>
      db.prepare('SELECT next_attempt_at FROM outbox WHERE id = ?').get(id),
    ) as { next_attempt_at: number | null } | undefined;
    return row?.next_attempt_at == null ? null : new Date(row.next_attempt_at);
  }

  /** Renews the heartbeat of an entry this process is sending; no-op for other states. */
  touchSending(id: number, now: Date): void {
    requireId(id, 'id');
    const millis = toMillis(now, 'now');
    this.connection.write(`renew heartbeat of outbox entry ${id}`, (db) => {
      db.prepare(`UPDATE outbox SET updated_at = ? WHERE id = ? AND state = 'sending'`).run(
        millis,
        id,
      );
    });
  }

  /**
   * Puts the account's entries in 'sending' whose heartbeat is older than `staleBefore` back in
   * the queue, because the process that sent them died. Returns their ids.
   */
  requeueStale(accountId: number, staleBefore: Date): number[] {
    requireId(accountId, 'accountId');
    const millis = toMillis(staleBefore, 'staleBefore');
    const rows = this.connection.write(
      `requeue stale outbox entries of account ${accountId}`,
      (db) =>
        db
          .prepare(
            `UPDATE outbox SET state = 'queued', next_attempt_at = NULL
           WHERE account_id = ? AND state = 'sending' AND updated_at < ?
           RETURNING id`,
          )
          .raw()
          .all(accountId, millis),
    ) as [number][];
    return rows.map((row) => row[0]).sort((a, b) => a - b);
  }
}
