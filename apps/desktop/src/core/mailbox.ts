// Mailbox view: lists stored messages by folder with the statuses known so far, and gives
// access to the raw message exactly as received.

import type { Store } from '@sealpost/storage';
import type { AccountService } from './accounts.ts';
import { CoreError } from './errors.ts';
import { encryptionModeOf, type EncryptionMode } from './message-kind.ts';

export interface MessageSummary {
  id: number;
  account: string;
  folder: string;
  uid: number | null;
  messageId: string | null;
  date: string | null;
  from: string | null;
  /** The outer Subject; for encrypted mail this is the "[...]" placeholder. */
  subject: string | null;
  kind: string;
  encrypted: boolean;
  /** The encryption mode, or null for unencrypted mail. */
  mode: EncryptionMode | null;
  /** Signature status from the last read, or null before the message was read. */
  signature: string | null;
  decryptionFailed: boolean;
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

  list(options: { account: string | null; folder: string }): MessageSummary[] {
    const accounts =
      options.account === null
        ? this.store.accounts.list()
        : [this.accounts.resolve(options.account)];
    const summaries: MessageSummary[] = [];

    for (const account of accounts) {
      const folder = this.store.folders.getByPath(account.id, options.folder);
      if (!folder) continue;
      for (const message of this.store.messages.listByFolder(folder.id)) {
        const result = message.result as StoredResult | null;
        summaries.push({
          id: message.id,
          account: account.email,
          folder: folder.path,
          uid: message.uid,
          messageId: message.messageId,
          date: message.date?.toISOString() ?? null,
          from: message.fromAddress,
          subject: message.subject,
          kind: message.kind,
          encrypted: encryptionModeOf(message.kind, result) !== null,
          mode: encryptionModeOf(message.kind, result),
          signature: result?.signatures?.[0]?.status ?? null,
          decryptionFailed: result?.error === 'DECRYPT_FAILED',
        });
      }
    }
    return summaries;
  }

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
