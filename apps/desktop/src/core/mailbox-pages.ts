// Paged mailbox views for the desktop UI: folders with total and unread counts, and a folder's
// messages one page at a time, so a list of 100,000 messages never crosses IPC at once. Also
// the archive folder of a message's account. Unread means that the IMAP \Seen flag is absent
// (RFC 9051 section 2.3.2).

import type { StoredMessage, Store } from '@sealpost/storage';
import type { AccountService } from './accounts.ts';
import { CoreError } from './errors.ts';
import { ensureArchiveFolder } from './sync/archive-folder.ts';
import { encryptionModeOf, type EncryptionMode } from './message-kind.ts';
import { listedSubjectOf, signatureStatusOf } from './read-outcome.ts';

export interface FolderCounts {
  account: string;
  path: string;
  specialUse: string | null;
  total: number;
  unread: number;
}

export interface MessageListItem {
  id: number;
  account: string;
  folder: string;
  date: string | null;
  from: string | null;
  /** The Subject a successful read showed, else the outer one ("[...]" when protected). */
  subject: string | null;
  /** True when `subject` comes from a successful read. */
  subjectRead: boolean;
  encrypted: boolean;
  /** The encryption mode, or null for unencrypted mail. */
  mode: EncryptionMode | null;
  signature: string | null;
  decryptionFailed: boolean;
  unread: boolean;
  flagged: boolean;
}

const SEEN = '\\Seen';

interface StoredResult {
  kind?: string;
  error?: string | null;
}

export class MailboxPages {
  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
  ) {}

  folders(): FolderCounts[] {
    const folders: FolderCounts[] = [];
    for (const account of this.store.accounts.list()) {
      for (const folder of this.store.folders.listByAccount(account.id)) {
        const { total, unread } = this.#count(folder.id);
        folders.push({
          account: account.email,
          path: folder.path,
          specialUse: folder.specialUse,
          total,
          unread,
        });
      }
    }
    return folders;
  }

  /** Returns `limit` messages from `offset`, newest first, and the folder's total count. */
  page(options: { account: string | null; folder: string; offset: number; limit: number }): {
    total: number;
    offset: number;
    messages: MessageListItem[];
  } {
    const account = this.accounts.resolve(options.account);
    const folder = this.store.folders.getByPath(account.id, options.folder);
    if (!folder) return { total: 0, offset: options.offset, messages: [] };

    const stored = this.store.messages.listByFolder(folder.id, {
      offset: options.offset,
      limit: options.limit,
    });
    return {
      total: this.#count(folder.id).total,
      offset: options.offset,
      messages: stored.map((message) => toListItem(message, account.email, folder.path)),
    };
  }

  /**
   * Returns the archive folder of message `id`'s account: the \Archive special-use one, else
   * "Archive". It creates and subscribes "Archive" on the server when the account has neither.
   */
  async archiveFolderFor(id: number): Promise<string> {
    const message = this.store.messages.get(id);
    if (!message) {
      throw new CoreError(
        'MESSAGE_NOT_FOUND',
        `No message with id ${id}; refresh the message list.`,
      );
    }
    const archive = await ensureArchiveFolder(this.store, this.accounts, message.accountId);
    return archive.path;
  }

  #count(folderId: number): { total: number; unread: number } {
    return this.store.messages.countByFolder(folderId);
  }
}

function toListItem(message: StoredMessage, account: string, folder: string): MessageListItem {
  const result = message.result as StoredResult | null;
  return {
    id: message.id,
    account,
    folder,
    date: message.date?.toISOString() ?? null,
    from: message.fromAddress,
    ...listedSubjectOf(message),
    encrypted: encryptionModeOf(message.kind, result) !== null,
    mode: encryptionModeOf(message.kind, result),
    signature: signatureStatusOf(message.result),
    decryptionFailed: result?.error === 'DECRYPT_FAILED',
    unread: !message.flags.includes(SEEN),
    flagged: message.flags.includes('\\Flagged'),
  };
}
