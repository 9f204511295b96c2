// Response and event payload types of the MailApi contract. They are plain JSON-safe data, so
// they cross Electron IPC (structured clone) and the browser shell's WebSocket (JSON) alike.
// Binary data travels as base64 strings.

export interface SessionStatus {
  unlocked: boolean;
  /** False when core keeps its keys in the OS keychain, so no unlock screen is needed. */
  passphraseRequired: boolean;
  /** True on first run without a keychain, when the user chooses a new Sealpost passphrase. */
  choosingPassphrase: boolean;
  /** Messages for the user from opening the data folder, e.g. that no keychain is available. */
  notices: string[];
  /** The FIDO2 security keys enrolled as a way to unlock. */
  securityKey: SecurityKeyView;
  accounts: number;
  identities: number;
}

export interface SecurityKeyView {
  /** True when at least one FIDO2 security key is enrolled. */
  enrolled: boolean;
  /**
   * True when only the key opens the folder now: it is required, or the keychain of a keychain
   * folder failed. The passphrase or recovery code is then offered only for recovery.
   */
  required: boolean;
  /** True when unlocking requests the security key's PIN. */
  pinRequired: boolean;
  /** The secret that opens the folder without the key when `required`; null when none does. */
  recovery: 'passphrase' | 'recovery-code' | null;
}

/** An enrolled FIDO2 security key. */
export interface SecurityKeySummary {
  name: string;
  /** When it was enrolled, as an ISO 8601 timestamp. */
  createdAt: string;
  /** True when unlocking with it requests the key's PIN. */
  pinRequired: boolean;
}

export interface SecurityKeyList {
  /** True when an enrolled security key is required to unlock the data folder. */
  required: boolean;
  keys: SecurityKeySummary[];
}

export interface SecurityKeyEnrolment extends SecurityKeyList {
  /** The key just enrolled. */
  key: SecurityKeySummary;
  /** Set once, when requiring the key gave a keychain folder a recovery code; stored nowhere. */
  recoveryCode: string | null;
}

export type ServerSecurity = 'starttls' | 'tls';

export interface ServerSettings {
  host: string;
  port: number;
  security: ServerSecurity;
  user: string;
}

export interface ProviderSettings {
  name: string;
  domains: string[];
  imap: Omit<ServerSettings, 'user'>;
  smtp: Omit<ServerSettings, 'user'>;
  /** What the user must know, e.g. that the provider requires an app password. */
  note: string | null;
}

export interface ConnectionCheck {
  ok: boolean;
  error: { code: string; message: string } | null;
}

export interface ConnectionTestResult {
  imap: ConnectionCheck;
  smtp: ConnectionCheck;
}

export interface AccountSummary {
  id: number;
  email: string;
  displayName: string | null;
  imap: ServerSettings;
  smtp: ServerSettings;
  pinnedCertificate: boolean;
}

export interface IdentitySummary {
  address: string;
  fingerprint: string;
}

/** An OpenPGP card as the hardware-token panel shows it. */
export interface CardStatusView {
  readerName: string;
  serial: string;
  version: string;
  userPinRetries: number;
  adminPinRetries: number;
  signatureFingerprint: string | null;
  decryptionFingerprint: string | null;
  /** Own addresses whose keys Sealpost uses on this card. */
  boundAddresses: string[];
}

/** The result of moving a key to a card or binding an address to a card's key. */
export interface CardBindingView {
  address: string;
  serial: string;
  signatureFingerprint: string;
  decryptionFingerprint: string;
  /** Whether the encrypted secret key is still stored on disk. */
  diskCopy: boolean;
}

export interface ImportResult {
  kind: 'certificate' | 'secret-key';
  address: string;
  fingerprint: string;
  summary: string;
}

export interface ContactCertificateView {
  fingerprint: string;
  status: string;
  source: string;
  firstSeen: string;
  lastSeen: string;
}

export interface ContactView {
  address: string;
  fingerprint: string | null;
  source: string;
  /** Fingerprints seen for this address after the pinned one; each is a key change to check. */
  changedFingerprints: string[];
  certificates: ContactCertificateView[];
  /** True when the owner revoked the pinned key; absent from back ends that do not report it. */
  revoked?: boolean;
}

/** The result of accepting a contact's changed key. */
export interface AcceptedKey {
  address: string;
  /** The fingerprint pinned now. */
  fingerprint: string;
  /** The fingerprint pinned before, or null when there was none. */
  previous: string | null;
  verified: boolean;
}

export interface FolderView {
  account: string;
  path: string;
  specialUse: string | null;
  total: number;
  unread: number;
}

export interface MessageSummary {
  id: number;
  account: string;
  folder: string;
  date: string | null;
  from: string | null;
  /** The outer Subject; for encrypted mail the "[...]" placeholder until the message is read. */
  subject: string | null;
  encrypted: boolean;
  /** The encryption mode, or null for unencrypted mail; absent from back ends that do not report it. */
  mode?: 'openpgp' | 'ratchet' | null;
  /**
   * Signature status from the last read (a SignatureView status, or `signer-mismatch` for a
   * valid signature by another address, or `unsigned`), or null before the message was read.
   */
  signature: string | null;
  decryptionFailed: boolean;
  unread: boolean;
  /** True when the message has the \\Flagged flag; absent from back ends that do not report it. */
  flagged?: boolean;
}

/** A search result: where the message is and its outer headers. */
export interface SearchHit {
  id: number;
  account: string;
  folder: string;
  date: string;
  from: string | null;
  /** The outer Subject; "[...]" for encrypted mail until it is read. */
  subject: string | null;
  /** The signature status of the last read as in MessageSummary, or null before a read. */
  signature?: string | null;
  /** Core's message kind, e.g. "plain", "signed", "openpgp-encrypted" or "ratchet". */
  kind: string;
  /** The encryption mode, or null for unencrypted mail. */
  mode: 'openpgp' | 'ratchet' | null;
  /** True when the message lacks the \\Seen flag. */
  unread: boolean;
  /** True when the message has the \\Flagged flag. */
  flagged: boolean;
}

/** The result of a message action that waits for the server. */
export interface ActionOutcome {
  /** Actions of this account waiting for the next sync, including this one. */
  queued: number;
}

/** A key restored from a recovery-code backup. */
export interface RestoredKey {
  address: string;
  fingerprint: string;
  outcome: 'restored' | 'already-present';
}

export interface MessagePage {
  total: number;
  offset: number;
  messages: MessageSummary[];
}

export interface SignatureView {
  status: 'valid' | 'invalid' | 'unknown-key' | 'expired-key' | 'revoked-key';
  signerFingerprint: string | null;
  signerMatchesFrom: boolean;
  /** The status in core's words, as the command line prints it. */
  words: string;
}

export interface AttachmentView {
  index: number;
  filename: string;
  contentType: string;
  size: number;
}

export interface MessageView {
  id: number;
  from: string | null;
  to: string[];
  cc: string[];
  date: string | null;
  subject: string | null;
  headersProtected: boolean;
  encryption: {
    status: 'encrypted' | 'not-encrypted';
    mode: 'openpgp' | 'ratchet' | null;
    decryptedWith: string | null;
    words: string;
  };
  signatures: SignatureView[];
  text: string | null;
  html: string | null;
  attachments: AttachmentView[];
}

export interface AttachmentContent {
  filename: string;
  contentType: string;
  contentBase64: string;
}

export type RecipientKeyStatus = 'key-known' | 'key-missing' | 'key-changed';

export interface RecipientPlan {
  address: string;
  status: RecipientKeyStatus;
  fingerprint: string | null;
}

export interface SendPlan {
  /** The mode `mail:send` will use for this recipient set. */
  mode: 'ratchet' | 'openpgp' | 'signed-plaintext';
  recipients: RecipientPlan[];
  /** Downgrade and key-change warnings to show before sending. */
  warnings?: string[];
}

export interface SendOutcome {
  mode: 'ratchet' | 'openpgp' | 'signed-plaintext';
  messageId: string;
  recipients: string[];
  rejectedRecipients: string[];
  savedToSent: boolean;
}

export interface SyncSummary {
  accounts: Array<{ email: string; newMessages: number; sentFromOutbox: number }>;
}

export interface DraftContent {
  from: string | null;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  /** Files attached in the composer, kept sealed with the draft. */
  attachments: AttachmentContent[];
}

export interface DraftSummary {
  id: string;
  subject: string;
  to: string[];
  savedAt: string;
}

/** Events that the back end pushes to the renderer. */
export interface MailApiEvents {
  'sync:progress': { account: string; done: number; total: number };
  'mail:new': { account: string; count: number };
  /** The security key waits for a touch, or for its PIN; `retriesLeft` follows a wrong PIN. */
  'securitykey:prompt': { prompt: 'touch' | 'pin'; retriesLeft: number | null };
}

export type MailApiEventName = keyof MailApiEvents;

/** A message in the outbox: waiting for its next attempt ('queued') or refused for good ('failed'). */
export interface OutboxEntryView {
  id: number;
  account: string;
  to: string[];
  /** The Subject the user wrote, or null for entries queued before it was stored. */
  subject?: string | null;
  state: string;
  attempts: number;
  /** The error of the last failed attempt, with its code, or null before any failure. */
  lastError: string | null;
  /** ISO time of the next automatic attempt, or null for the next sync or a failed entry. */
  nextAttemptAt: string | null;
  /** ISO time the message was queued. */
  createdAt: string;
}

export interface OutboxRetryOutcome {
  id: number;
  rejectedRecipients: string[];
}
