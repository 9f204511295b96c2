// The shapes of stored messages: their kinds, the content sync and local writes give the
// repository, what a read returns, and paging. MessageRepository (messages.ts) uses them.

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Outer structure of a message, classified when it is stored. */
export type MessageKind =
  | 'pgp-mime-encrypted'
  | 'pgp-mime-signed'
  | 'pgp-inline-encrypted'
  | 'pgp-inline-signed'
  | 'ratchet'
  | 'plain'
  | 'malformed'
  | 'unknown';

// NOTE: kind is checked here, not by a SQL CHECK, so a new kind needs no table rebuild.
export const MESSAGE_KINDS: readonly MessageKind[] = [
  'pgp-mime-encrypted',
  'pgp-mime-signed',
  'pgp-inline-encrypted',
  'pgp-inline-signed',
  'ratchet',
  'plain',
  'malformed',
  'unknown',
];

/** The fields parsed from the outer headers plus the raw bytes. */
export interface MessageContent {
  folderId: number;
  raw: Uint8Array;
  /** IMAP flags such as "\\Seen". */
  flags: string[];
  /** IMAP INTERNALDATE, or the time a local copy was saved. */
  internalDate: Date;
  messageId: string | null;
  fromAddress: string | null;
  /** The outer Subject, a placeholder when header protection is used. */
  subject: string | null;
  /** The outer Date header. */
  date: Date | null;
  kind: MessageKind;
}

export interface ReceivedMessage extends MessageContent {
  uidValidity: number;
  uid: number;
}

export interface InsertReceivedResult {
  id: number;
  /** False when the (folder, UIDVALIDITY, UID) was already stored; the row was left as it was. */
  inserted: boolean;
}

/** A stored message without its raw bytes; read those with getRaw. */
export interface StoredMessage {
  id: number;
  accountId: number;
  folderId: number;
  /** Null for a local copy that has not been appended to the server yet. */
  uidValidity: number | null;
  uid: number | null;
  messageId: string | null;
  /** Size of raw in bytes. */
  size: number;
  flags: string[];
  internalDate: Date;
  fromAddress: string | null;
  subject: string | null;
  date: Date | null;
  kind: MessageKind;
  /** The decryption and verification result, or null before the message was processed. */
  result: JsonValue | null;
  /**
   * The Subject that the last successful read showed (the protected one under header
   * protection), '' when it had none, or null before such a read.
   */
  readSubject: string | null;
  createdAt: Date;
}

/** A folder's message count and how many of its messages lack the \Seen flag. */
export interface FolderCounts {
  total: number;
  unread: number;
}

export interface Page {
  limit?: number;
  offset?: number;
}
