// Public API of @sealpost/storage: openDatabase, the Store with one repository per table,
// their row types, the migrations, and StorageError.

export { openDatabase, DEFAULT_BUSY_TIMEOUT_MS } from './open-database.ts';
export type { OpenDatabaseOptions } from './open-database.ts';
export { Store } from './store.ts';
export { StorageError } from './errors.ts';
export type { StorageErrorCode } from './errors.ts';
export { MIGRATIONS } from './migrations/index.ts';
export type { Migration } from './migrations/index.ts';

export { AccountRepository, TLS_SECURITY_VALUES } from './repositories/accounts.ts';
export type { Account, NewAccount, ServerSettings, TlsSecurity } from './repositories/accounts.ts';
export { IdentityRepository } from './repositories/identities.ts';
export type { Identity, NewIdentity } from './repositories/identities.ts';
export { ContactRepository } from './repositories/contacts.ts';
export type { Contact, ContactSummary } from './repositories/contacts.ts';
export { CERTIFICATE_SOURCES, PREFER_ENCRYPT_VALUES } from './repositories/contact-certificates.ts';
export type {
  CertificateSighting,
  CertificateSource,
  CertificateStatus,
  ContactCertificate,
  PreferEncrypt,
  RecordOptions,
  RecordOutcome,
  RecordResult,
} from './repositories/contact-certificates.ts';
export { FolderRepository } from './repositories/folders.ts';
export type { Folder, FolderSyncState } from './repositories/folders.ts';
export { MessageRepository, MESSAGE_KINDS } from './repositories/messages.ts';
export type {
  InsertReceivedResult,
  JsonValue,
  MessageContent,
  MessageKind,
  Page,
  ReceivedMessage,
  StoredMessage,
} from './repositories/messages.ts';
export { OutboxRepository } from './repositories/outbox.ts';
export type { NewOutboxEntry, OutboxEntry, OutboxState } from './repositories/outbox.ts';
