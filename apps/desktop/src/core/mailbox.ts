// Mailbox view: lists stored messages by folder with the statuses known so far, and gives
// access to the raw message exactly as received.

import type { Store } from '@sealpost/storage';
import type { AccountService } from './accounts.ts';
import { CoreError } from './errors.ts';
import { encryptionModeOf, type EncryptionMode } from './message-kind.ts';
import { listedSubjectOf } from './read-outcome.ts';

export interface MessageSummary {
  id: number;
  account: string;
  folder: string;
  uid: number | null;
  messageId: string | null;
  date: string | null;
  from: string | null;
  /**
   * The Subject a successful read showed, else the outer one, which for encrypted mail is the
   * "[...]" placeholder.
   */
  subject: string | null;
  /** True when `subject` comes from a successful read. */
  subjectRead: boolean;
  kind: string;
  encrypted: boolean;
  /** The encryption mode, or null for unencrypted mail. */
  mode: EncryptionMode | null;
  /** Signature status from the last read, or null before the message was read. */
  signature: string | null;
  decryptionFailed: boolean;
  /** True when the IMAP \\Seen flag is absent (RFC 9051 section 2.3.2). */
  unread: boolean;
  flagged: boolean;
}

/** The statuses ReadService stores after a read; never plaintext. */
interface StoredResult {
  kind?: string;
  signatures?: Array<{ status: string }>;
  error?: string | null;
}

export class Mailbox {
  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
  ) {}

  list(options: { account: string | null; folder: string; limit?: number }): MessageSummary[] {
    const accounts =
      options.account === null
        ? this.store.accounts.list()
        : [this.accounts.resolve(options.account)];
    // Each account's messages come newest INTERNALDATE first. The merged list keeps that order
    // across accounts, so new mail of a second account is not listed after older mail.
    const received: { internalDate: number; summary: MessageSummary }[] = [];

    for (const account of accounts) {
      const folder = this.store.folders.getByPath(account.id, options.folder);
      if (!folder) continue;
      const page = options.limit === undefined ? {} : { limit: options.limit };
      for (const message of this.store.messages.listByFolder(folder.id, page)) {
        const result = message.result as StoredResult | null;
        const summary: MessageSummary = {
          id: message.id,
          account: account.email,
          folder: folder.path,
          uid: message.uid,
          messageId: message.messageId,
          date: message.date?.toISOString() ?? null,
          from: message.fromAddress,
          ...listedSubjectOf(message),
          kind: message.kind,
          encrypted: encryptionModeOf(message.kind, result) !== null,
          mode: encryptionModeOf(message.kind, result),
          signature: result?.signatures?.[0]?.status ?? null,
          decryptionFailed: result?.error === 'DECRYPT_FAILED',
          unread: !message.flags.includes('\\Seen'),
          flagged: message.flags.includes('\\Flagged'),
        };
        received.push({ internalDate: message.internalDate.getTime(), summary });
      }
    }
    if (accounts.length > 1) {
      received.sort((a, b) => b.internalDate - a.internalDate || b.summary.id - a.summary.id);
    }
    return received.map((entry) => entry.summary);
  }

  /**
   * Returns the stored message as received. For a message of 8 MiB or more, kept in an encrypted
   * message file, that is only its header section.
   */
  getRaw(id: number): Uint8Array {
    if (!this.store.messages.get(id)) {
      throw new CoreError(
        'MESSAGE_NOT_FOUND',
        `No message with id ${id}; list messages with "sealpost list".`,
      );
    }
    return this.store.messages.getRaw(id);
  }
}
