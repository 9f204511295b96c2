// AuditLogRepository: the `audit_log` table, an append-only list of key operations. Storage
// keeps the rows and their hashes as given; the caller computes the chain hashes, because the
// key that authenticates the chain lives with the keystore, not in the database.

import type { Connection } from '../connection.ts';
import { fromMillis, toMillis } from '../connection.ts';
import { StorageError } from '../errors.ts';
import { normalizeFingerprint } from '../validate.ts';

export const AUDIT_HASH_LENGTH = 32;

export interface AuditEntry {
  seq: number;
  at: Date;
  /** Lowercase words joined by hyphens, e.g. "generate" or "subkey-rotate". */
  operation: string;
  /** Lowercase hex fingerprint of the key concerned, or null for operations on no one key. */
  fingerprint: string | null;
  /** JSON text of an object; never secrets, plaintext or full addresses. */
  details: string;
  previousHash: Uint8Array;
  hash: Uint8Array;
}

interface AuditRow {
  seq: number;
  at: number;
  operation: string;
  fingerprint: string | null;
  details: string;
  previous_hash: Buffer;
  hash: Buffer;
}

export class AuditLogRepository {
  constructor(private readonly connection: Connection) {}

  /** Appends `entry`; its `seq` must be one above the last one. */
  append(entry: AuditEntry): void {
    const fingerprint =
      entry.fingerprint === null ? null : normalizeFingerprint(entry.fingerprint, 'fingerprint');
    for (const [field, value] of [
      ['previousHash', entry.previousHash],
      ['hash', entry.hash],
    ] as const) {
      if (!(value instanceof Uint8Array) || value.length !== AUDIT_HASH_LENGTH) {
        throw new StorageError(
          'INVALID_ARGUMENT',
          `${field}: expected ${AUDIT_HASH_LENGTH} bytes, got ${String(value?.length)}.`,
        );
      }
    }

    this.connection.write(`append audit entry ${entry.seq}`, (db) => {
      const last = db.prepare('SELECT max(seq) AS seq FROM audit_log').get() as {
        seq: number | null;
      };
      const expected = (last.seq ?? 0) + 1;
      if (entry.seq !== expected) {
        throw new StorageError(
          'INVALID_STATE',
          `Audit entry ${entry.seq} cannot be appended: the next sequence number is ${expected}.`,
        );
      }
      db.prepare(
        `INSERT INTO audit_log (seq, at, operation, fingerprint, details, previous_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        entry.seq,
        toMillis(entry.at, 'at'),
        entry.operation,
        fingerprint,
        entry.details,
        Buffer.from(entry.previousHash),
        Buffer.from(entry.hash),
      );
    });
  }

  /** The entry with the highest sequence number, or null when the log is empty. */
  last(): AuditEntry | null {
    const row = this.connection.read('read last audit entry', (db) =>
      db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1').get(),
    ) as AuditRow | undefined;
    return row ? toEntry(row) : null;
  }

  /** Every entry in storage order (rowid order), which verification compares with `seq`. */
  list(): AuditEntry[] {
    const rows = this.connection.read('list audit entries', (db) =>
      db.prepare('SELECT * FROM audit_log ORDER BY rowid').all(),
    ) as AuditRow[];
    return rows.map(toEntry);
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: fromMillis(row.at),
    operation: row.operation,
    fingerprint: row.fingerprint,
    details: row.details,
    previousHash: new Uint8Array(row.previous_hash),
    hash: new Uint8Array(row.hash),
  };
}
