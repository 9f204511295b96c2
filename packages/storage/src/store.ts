// Store: an open Sealpost database with one repository per table. Created by openDatabase;
// `transaction` lets a caller group writes to several repositories into one commit.

import type { Connection } from './connection.ts';
import { AccountRepository } from './repositories/accounts.ts';
import { ContactRepository } from './repositories/contacts.ts';
import { FolderRepository } from './repositories/folders.ts';
import { IdentityRepository } from './repositories/identities.ts';
import { MessageRepository } from './repositories/messages.ts';
import { OutboxRepository } from './repositories/outbox.ts';

export class Store {
  readonly accounts: AccountRepository;
  readonly identities: IdentityRepository;
  readonly contacts: ContactRepository;
  readonly folders: FolderRepository;
  readonly messages: MessageRepository;
  readonly outbox: OutboxRepository;

  constructor(
    private readonly connection: Connection,
    /** The schema version after migrations ran. */
    readonly schemaVersion: number,
  ) {
    this.accounts = new AccountRepository(connection);
    this.identities = new IdentityRepository(connection);
    this.contacts = new ContactRepository(connection);
    this.folders = new FolderRepository(connection);
    this.messages = new MessageRepository(connection);
    this.outbox = new OutboxRepository(connection);
  }

  /** The file path given to openDatabase, or ":memory:". */
  get path(): string {
    return this.connection.path;
  }

  get isOpen(): boolean {
    return this.connection.db.open;
  }

  /**
   * Runs `work` in one transaction: repository writes inside it commit together or not at all.
   * `work` must be synchronous, because better-sqlite3 commits when it returns.
   */
  transaction<T>(operation: string, work: () => T): T {
    return this.connection.write(operation, () => work());
  }

  /** Closes the connection; later calls throw DATABASE_CLOSED. Closing twice is harmless. */
  close(): void {
    if (this.connection.db.open) this.connection.db.close();
  }
}
