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
export { MessageRepository } from './repositories/messages.ts';
export { MESSAGE_KINDS } from './repositories/message-types.ts';
export type {
  FolderCounts,
  InsertReceivedResult,
  JsonValue,
  MessageContent,
  MessageKind,
  Page,
  ReceivedMessage,
  StoredMessage,
} from './repositories/message-types.ts';
export { OutboxRepository } from './repositories/outbox.ts';
export type { NewOutboxEntry, OutboxEntry, OutboxState } from './repositories/outbox.ts';
export type { OutboxFile } from './repositories/outbox.ts';
export { MessageSyncRepository } from './repositories/message-sync.ts';
export { MessageFileRepository } from './repositories/message-files.ts';
export type { LargeBodyPending, ReceivedMessageFile } from './repositories/message-files.ts';
export type {
  BodyPending,
  HeaderFields,
  HeaderOnlyMessage,
  ServerFlags,
} from './repositories/message-sync.ts';
export { PendingActionRepository, PENDING_ACTION_KINDS } from './repositories/pending-actions.ts';
export type {
  NewPendingAction,
  PendingAction,
  PendingActionKind,
} from './repositories/pending-actions.ts';
export { OutboxScheduleRepository } from './repositories/outbox-schedule.ts';
export { SearchIndexRepository, toMatchExpression } from './repositories/search-index.ts';
export type {
  SearchDocument,
  SearchHit,
  SearchOrder,
  SearchQuery,
} from './repositories/search-index.ts';
export { AuditLogRepository, AUDIT_HASH_LENGTH } from './repositories/audit-log.ts';
export type { AuditEntry } from './repositories/audit-log.ts';
export { IdentityKeyRepository } from './repositories/identity-keys.ts';
export type { IdentityKeyUpdate } from './repositories/identity-keys.ts';
export { KeySettingsRepository } from './repositories/key-settings.ts';
export { DATABASE_KEY_LENGTH } from './database-key.ts';
export { RatchetSessionRepository } from './repositories/ratchet-sessions.ts';
export type { AdvanceOptions, RatchetSession } from './repositories/ratchet-sessions.ts';
export { RatchetKeyRepository } from './repositories/ratchet-keys.ts';
export type { StoredPrekey } from './repositories/ratchet-keys.ts';
export { AutocryptPeerRepository } from './repositories/autocrypt-peers.ts';
export type { AutocryptPeer } from './repositories/autocrypt-peers.ts';
export { ContactTrustRepository, VERIFICATION_METHODS } from './repositories/contact-trust.ts';
export type {
  ContactVerification,
  PostQuantumCapability,
  VerificationMethod,
} from './repositories/contact-trust.ts';
export { NegotiationRecordRepository } from './repositories/negotiation-records.ts';
export type { NegotiatedRecipient, NegotiationRecord } from './repositories/negotiation-records.ts';
export { RatchetPeerBundleRepository } from './repositories/ratchet-peer-bundles.ts';
export type { PeerBundle } from './repositories/ratchet-peer-bundles.ts';
export { RatchetEntityRepository } from './repositories/ratchet-entities.ts';
