// Store: an open Sealpost database with one repository per table. Created by openDatabase;
// `transaction` lets a caller group writes to several repositories into one commit.

import path from 'node:path';

import { BodyPacks } from './body-packs.ts';
import { type Connection, writeUnflushed } from './connection.ts';
import { AccountRepository } from './repositories/accounts.ts';
import { AuditLogRepository } from './repositories/audit-log.ts';
import { IdentityKeyRepository } from './repositories/identity-keys.ts';
import { KeySettingsRepository } from './repositories/key-settings.ts';
import { ContactRepository } from './repositories/contacts.ts';
import { FolderRepository } from './repositories/folders.ts';
import { IdentityRepository } from './repositories/identities.ts';
import { MessageRepository } from './repositories/messages.ts';
import { OutboxRepository } from './repositories/outbox.ts';
import { MessageSyncRepository } from './repositories/message-sync.ts';
import { MessageFileRepository } from './repositories/message-files.ts';
import { OutboxScheduleRepository } from './repositories/outbox-schedule.ts';
import { PendingActionRepository } from './repositories/pending-actions.ts';
import { SearchIndexRepository } from './repositories/search-index.ts';
import { RatchetKeyRepository } from './repositories/ratchet-keys.ts';
import { RatchetSessionRepository } from './repositories/ratchet-sessions.ts';
import { AutocryptPeerRepository } from './repositories/autocrypt-peers.ts';
import { ContactTrustRepository } from './repositories/contact-trust.ts';
import { NegotiationRecordRepository } from './repositories/negotiation-records.ts';
import { RatchetPeerBundleRepository } from './repositories/ratchet-peer-bundles.ts';
import { RatchetEntityRepository } from './repositories/ratchet-entities.ts';

export class Store {
  readonly accounts: AccountRepository;
  readonly identities: IdentityRepository;
  readonly contacts: ContactRepository;
  readonly folders: FolderRepository;
  readonly messages: MessageRepository;
  readonly outbox: OutboxRepository;
  readonly auditLog: AuditLogRepository;
  readonly identityKeys: IdentityKeyRepository;
  readonly keySettings: KeySettingsRepository;
  readonly messageSync: MessageSyncRepository;
  readonly messageFiles: MessageFileRepository;
  readonly outboxSchedule: OutboxScheduleRepository;
  readonly pendingActions: PendingActionRepository;
  readonly searchIndex: SearchIndexRepository;
  readonly ratchetSessions: RatchetSessionRepository;
  readonly ratchetKeys: RatchetKeyRepository;
  readonly autocryptPeers: AutocryptPeerRepository;
  readonly contactTrust: ContactTrustRepository;
  readonly negotiationRecords: NegotiationRecordRepository;
  readonly ratchetPeerBundles: RatchetPeerBundleRepository;
  readonly ratchetEntities: RatchetEntityRepository;
  /** Bodies of synced messages, sealed beside the database; null for a store in memory. */
  readonly bodyPacks: BodyPacks | null;

  constructor(
    private readonly connection: Connection,
    /** The schema version after migrations ran. */
    readonly schemaVersion: number,
  ) {
    this.accounts = new AccountRepository(connection);
    this.identities = new IdentityRepository(connection);
    this.contacts = new ContactRepository(connection);
    this.folders = new FolderRepository(connection);
    this.bodyPacks =
      connection.path === ':memory:'
        ? null
        : new BodyPacks(path.join(path.dirname(connection.path), 'bodies'));
    const packs = this.bodyPacks;
    // An unflushed commit leaves the records unflushed too: after a power loss, a record that
    // did not reach the disk fails its check on read, and the next sync fetches the body again.
    if (packs !== null) {
      connection.beforeCommit = (flushed) => {
        if (flushed) packs.flush();
        else packs.leaveUnflushed();
      };
    }
    this.messages = new MessageRepository(connection, packs);
    this.outbox = new OutboxRepository(connection);
    this.auditLog = new AuditLogRepository(connection);
    this.identityKeys = new IdentityKeyRepository(connection);
    this.keySettings = new KeySettingsRepository(connection);
    this.messageSync = new MessageSyncRepository(connection, packs);
    this.messageFiles = new MessageFileRepository(connection);
    this.outboxSchedule = new OutboxScheduleRepository(connection);
    this.pendingActions = new PendingActionRepository(connection);
    this.searchIndex = new SearchIndexRepository(connection);
    this.ratchetSessions = new RatchetSessionRepository(connection);
    this.ratchetKeys = new RatchetKeyRepository(connection);
    this.autocryptPeers = new AutocryptPeerRepository(connection);
    this.contactTrust = new ContactTrustRepository(connection);
    this.negotiationRecords = new NegotiationRecordRepository(connection);
    this.ratchetPeerBundles = new RatchetPeerBundleRepository(connection);
    this.ratchetEntities = new RatchetEntityRepository(connection);
  }

  /**
   * Like transaction, but the commit is not flushed to disk (PRAGMA synchronous = NORMAL): a
   * power loss may drop it and the newest commits before the next flushed one, a crash of the
   * process never does. For bulk writes that can be repeated, such as storing fetched mail.
   */
  unflushedTransaction<T>(operation: string, work: () => T): T {
    return writeUnflushed(this.connection, operation, () => work());
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
    this.bodyPacks?.flush();
    this.bodyPacks?.close();
    if (this.connection.db.open) this.connection.db.close();
  }
}
