// OutboxRepository: the `outbox` table. A message to send stays here, with its final raw bytes
// and SMTP envelope, until the server accepted it. States: queued -> sending -> sent, or back
// to queued after a temporary failure, or failed after a permanent one (RFC 5321 4xx vs 5xx).

import type { Connection, SqliteDatabase } from '../connection.ts';
import { fromMillis } from '../connection.ts';
import { StorageError } from '../errors.ts';
import {
  normalizeAddress,
  rejectUnknownKeys,
  requireBytes,
  requireId,
  requireText,
} from '../validate.ts';

export type OutboxState = 'queued' | 'sending' | 'sent' | 'failed';

export interface NewOutboxEntry {
  accountId: number;
  /** The final message as it goes over SMTP, already encrypted and signed. */
  raw: Uint8Array;
  /** SMTP MAIL FROM. */
  envelopeFrom: string;
  /** SMTP RCPT TO, at least one address. */
  envelopeTo: string[];
  /**
   * The file in the outbox folder that contains the whole message. `raw` then contains only
   * its header section. The file must be complete before the entry is queued.
   */
  file?: OutboxFile;
  /** The Subject the user wrote, for outbox lists, because the raw message may hide it. */
  subject?: string | null;
}

/** A message file of an outbox entry: its name in the outbox folder and its length in bytes. */
export interface OutboxFile {
  name: string;
  size: number;
}

const FILE_NAME = /^[0-9a-f]{32}\.eml$/;

export interface OutboxEntry {
  id: number;
  accountId: number;
  raw: Buffer;
  envelopeFrom: string;
  envelopeTo: string[];
  /** The file that contains the whole message, or null when `raw` is the whole message. */
  file: OutboxFile | null;
  /** The Subject the user wrote, or null when none was stored (entries before migration 13). */
  subject: string | null;
  state: OutboxState;
  /** Number of times sending started. */
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

interface OutboxRow {
  id: number;
  account_id: number;
  raw: Buffer;
  envelope_from: string;
  envelope_to: string;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  /** Absent in databases before migration 11. */
  file_name?: string | null;
  file_size?: number | null;
  /** Absent in databases before migration 13. */
  subject?: string | null;
}

export class OutboxRepository {
  constructor(private readonly connection: Connection) {}

  /** Queues a message for sending. Throws ACCOUNT_NOT_FOUND for an unknown account. */
  enqueue(entry: NewOutboxEntry): OutboxEntry {
    const accountId = requireId(entry.accountId, 'entry.accountId');
    const raw = requireBytes(entry.raw, 'entry.raw');
    const envelopeFrom = normalizeAddress(entry.envelopeFrom, 'entry.envelopeFrom');
    if (!Array.isArray(entry.envelopeTo) || entry.envelopeTo.length === 0) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        'entry.envelopeTo: expected at least one recipient address.',
      );
    }
    const envelopeTo = entry.envelopeTo.map((address, index) =>
      normalizeAddress(address, `entry.envelopeTo[${index}]`),
    );
    const file = entry.file;
    if (
      file !== undefined &&
      !(FILE_NAME.test(file?.name) && Number.isSafeInteger(file.size) && file.size > 0)
    ) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `entry.file ${JSON.stringify(file)}: expected { name: 32 hex digits + ".eml", size > 0 }.`,
      );
    }
    const subject = entry.subject ?? null;
    if (subject !== null && typeof subject !== 'string') {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `entry.subject: expected a string or null, got ${typeof subject}.`,
      );
    }

    return this.connection.write(`queue message of account ${accountId}`, (db) => {
      if (!db.prepare('SELECT 1 FROM accounts WHERE id = ?').get(accountId)) {
        throw new StorageError(
          'ACCOUNT_NOT_FOUND',
          `Account ${accountId} not found for the outgoing message. Add the account before sending from it.`,
        );
      }
      const now = Date.now();
      const result = db
        .prepare(
          `INSERT INTO outbox (account_id, raw, envelope_from, envelope_to, state, attempts, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'queued', 0, ?, ?)`,
        )
        .run(accountId, raw, envelopeFrom, JSON.stringify(envelopeTo), now, now);
      const id = Number(result.lastInsertRowid);
      if (file) {
        db.prepare('UPDATE outbox SET file_name = ?, file_size = ? WHERE id = ?').run(
          file.name,
          file.size,
          id,
        );
      }
      if (subject !== null) {
        db.prepare('UPDATE outbox SET subject = ? WHERE id = ?').run(subject, id);
      }
      return requireEntry(db, id);
    });
  }

  get(id: number): OutboxEntry | null {
    requireId(id, 'id');
    const row = this.connection.read(`get outbox entry ${id}`, (db) =>
      db.prepare('SELECT * FROM outbox WHERE id = ?').get(id),
    ) as OutboxRow | undefined;
    return row ? toEntry(row) : null;
  }

  /** Lists entries waiting to be sent, oldest first, of one account or of all accounts. */
  listQueued(accountId?: number): OutboxEntry[] {
    if (accountId !== undefined) requireId(accountId, 'accountId');
    const rows = this.connection.read('list queued outbox entries', (db) =>
      db
        .prepare(
          `SELECT * FROM outbox WHERE state = 'queued' AND (@accountId IS NULL OR account_id = @accountId)
           ORDER BY created_at, id`,
        )
        .all({ accountId: accountId ?? null }),
    ) as OutboxRow[];
    return rows.map(toEntry);
  }

  /** Returns the names of all message files that outbox entries refer to. */
  listFileNames(): string[] {
    const rows = this.connection.read('list outbox message files', (db) =>
      db.prepare('SELECT file_name FROM outbox WHERE file_name IS NOT NULL').raw().all(),
    ) as [string][];
    return rows.map((row) => row[0]);
  }

  /** Lists entries that failed permanently and wait for the user, oldest first. */
  listFailed(): OutboxEntry[] {
    const rows = this.connection.read('list failed outbox entries', (db) =>
      db.prepare(`SELECT * FROM outbox WHERE state = 'failed' ORDER BY created_at, id`).all(),
    ) as OutboxRow[];
    return rows.map(toEntry);
  }

  /** Moves a queued entry to `sending` and counts the attempt. */
  markSending(id: number): OutboxEntry {
    return this.transition(id, ['queued'], 'sending', (db, now) => {
      db.prepare(
        `UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?`,
      ).run(now, id);
    });
  }

  /**
   * Marks an entry `sent` once the SMTP server accepted it. The row and its raw bytes stay so
   * the caller can append the copy to the Sent folder, then call remove.
   */
  markSent(id: number): OutboxEntry {
    return this.transition(id, ['sending'], 'sent', (db, now) => {
      db.prepare(
        `UPDATE outbox SET state = 'sent', last_error = NULL, sent_at = ?, updated_at = ? WHERE id = ?`,
      ).run(now, now, id);
    });
  }

  /**
   * Records a failed attempt. With `retry: true` (a temporary failure such as an SMTP 4xx reply or
   * a dropped connection) the entry goes back to `queued`. Without it the entry becomes `failed`
   * and waits for the user.
   */
  markFailed(id: number, error: string, options: { retry?: boolean } = {}): OutboxEntry {
    const message = requireText(error, 'error');
    rejectUnknownKeys(options, ['retry'], 'options');
    const next: OutboxState = options.retry === true ? 'queued' : 'failed';
    return this.transition(id, ['sending'], next, (db, now) => {
      db.prepare('UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ?').run(
        next,
        message,
        now,
        id,
      );
    });
  }

  /** Puts a failed entry back in the queue after the user chose to retry it. */
  requeue(id: number): OutboxEntry {
    return this.transition(id, ['failed'], 'queued', (db, now) => {
      db.prepare(`UPDATE outbox SET state = 'queued', updated_at = ? WHERE id = ?`).run(now, id);
    });
  }

  /**
   * Puts entries left in `sending` by a crash back in the queue; call once at start-up.
   * NOTE: the server may have accepted such a message before the crash, so it can be sent twice.
   * Returns the number of entries requeued.
   */
  requeueInterrupted(): number {
    return this.connection.write('requeue interrupted outbox entries', (db) => {
      return db
        .prepare(`UPDATE outbox SET state = 'queued', updated_at = ? WHERE state = 'sending'`)
        .run(Date.now()).changes;
    });
  }

  /** Deletes an entry that is sent or that the user discarded. Throws INVALID_STATE while it is sending. */
  remove(id: number): void {
    requireId(id, 'id');
    this.connection.write(`remove outbox entry ${id}`, (db) => {
      const entry = requireEntry(db, id);
      if (entry.state === 'sending') {
        throw new StorageError(
          'INVALID_STATE',
          `Outbox entry ${id} is being sent. Wait until it is marked sent or failed, then remove it.`,
        );
      }
      db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
    });
  }

  private transition(
    id: number,
    from: readonly OutboxState[],
    to: OutboxState,
    update: (db: SqliteDatabase, now: number) => void,
  ): OutboxEntry {
    requireId(id, 'id');
    return this.connection.write(`mark outbox entry ${id} ${to}`, (db) => {
      const entry = requireEntry(db, id);
      if (!from.includes(entry.state)) {
        throw new StorageError(
          'INVALID_STATE',
          `Outbox entry ${id} is ${entry.state}; only an entry that is ${from.join(' or ')} can become ${to}.`,
        );
      }
      update(db, Date.now());
      return requireEntry(db, id);
    });
  }
}

function requireEntry(db: SqliteDatabase, id: number): OutboxEntry {
  const row = db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
  if (!row) {
    throw new StorageError(
      'OUTBOX_ENTRY_NOT_FOUND',
      `Outbox entry ${id} not found. It may have been sent and removed; list the outbox again.`,
    );
  }
  return toEntry(row);
}

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    accountId: row.account_id,
    raw: row.raw,
    envelopeFrom: row.envelope_from,
    envelopeTo: JSON.parse(row.envelope_to) as string[],
    file: row.file_name ? { name: row.file_name, size: row.file_size! } : null,
    subject: row.subject ?? null,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: fromMillis(row.created_at),
    updatedAt: fromMillis(row.updated_at),
    sentAt: fromMillis(row.sent_at),
  };
}
