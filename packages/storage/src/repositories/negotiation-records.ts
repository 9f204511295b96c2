// NegotiationRecordRepository: the `negotiation_records` table, the mode chosen for each sent
// message, keyed by its Message-ID, with the reason, the recipients' keys and any downgrade
// warning shown before sending. `read` of the Sent copy shows it again.

import type { Connection } from '../connection.ts';
import { fromMillis, toMillis } from '../connection.ts';
import { StorageError } from '../errors.ts';
import { requireOneOf, requireText } from '../validate.ts';

export interface NegotiatedRecipient {
  address: string;
  /** Primary fingerprint of the certificate used, or null when the message went unencrypted. */
  fingerprint: string | null;
  postQuantum: boolean;
}

export interface NegotiationRecord {
  messageId: string;
  mode: 'ratchet' | 'openpgp' | 'signed-plaintext';
  /** 'pq' or 'classical' for OpenPGP, 'pq' for ratchet mode, null for signed plaintext. */
  encryption: 'pq' | 'classical' | null;
  reason: string;
  recipients: NegotiatedRecipient[];
  warnings: string[];
  createdAt: Date;
}

interface RecordRow {
  message_id: string;
  mode: NegotiationRecord['mode'];
  encryption: NegotiationRecord['encryption'];
  reason: string;
  recipients: string;
  warnings: string;
  created_at: number;
}

export class NegotiationRecordRepository {
  constructor(private readonly connection: Connection) {}

  /** Stores the negotiation of one sent message; the Message-ID must be new. */
  insert(record: NegotiationRecord): void {
    const messageId = requireText(record.messageId, 'messageId');
    const mode = requireOneOf(
      record.mode,
      ['ratchet', 'openpgp', 'signed-plaintext'] as const,
      'mode',
    );
    const encryption =
      record.encryption === null
        ? null
        : requireOneOf(record.encryption, ['pq', 'classical'] as const, 'encryption');
    if ((mode === 'signed-plaintext') !== (encryption === null)) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `encryption: expected "pq" or "classical" unless mode is "signed-plaintext", got ${String(encryption)} for ${mode}.`,
      );
    }
    const reason = requireText(record.reason, 'reason');
    const createdAt = toMillis(record.createdAt, 'createdAt');
    this.connection.write(`record negotiation of ${messageId}`, (db) => {
      db.prepare(
        `INSERT INTO negotiation_records (message_id, mode, encryption, reason, recipients, warnings, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        messageId,
        mode,
        encryption,
        reason,
        JSON.stringify(record.recipients),
        JSON.stringify(record.warnings),
        createdAt,
      );
    });
  }

  /** Returns the negotiation stored for `messageId`, or null for a message not sent from here. */
  get(messageId: string): NegotiationRecord | null {
    const id = requireText(messageId, 'messageId');
    const row = this.connection.read(`get negotiation of ${id}`, (db) =>
      db.prepare('SELECT * FROM negotiation_records WHERE message_id = ?').get(id),
    ) as RecordRow | undefined;
    if (!row) return null;
    return {
      messageId: row.message_id,
      mode: row.mode,
      encryption: row.encryption,
      reason: row.reason,
      recipients: JSON.parse(row.recipients) as NegotiatedRecipient[],
      warnings: JSON.parse(row.warnings) as string[],
      createdAt: fromMillis(row.created_at),
    };
  }
}
