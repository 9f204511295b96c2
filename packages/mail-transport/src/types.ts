// Public value types shared by the MIME builders and parsers: mailboxes (RFC 5322 section 3.4)
// and the header fields that the builders write. Bcc has no field here on purpose, because
// no message built by this package may carry it.

/** A mailbox: an addr-spec and an optional display name. */
export interface Mailbox {
  address: string;
  name?: string | null;
}

/** A mailbox as an object or as a bare address. */
export type MailboxInput = Mailbox | string;

/** Header fields of the outer message, which stay visible to every server on the path. */
export interface EnvelopeHeaderFields {
  from: MailboxInput;
  to: MailboxInput[];
  cc?: MailboxInput[];
  date: Date;
  /** Message-ID with or without angle brackets. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
}

/** Header fields of a whole message, the Subject included. */
export interface MessageHeaderFields extends EnvelopeHeaderFields {
  subject: string;
}

/** One attachment to put in a message. */
export interface AttachmentInput {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** An attachment read from its file while the message is streamed (streamInnerEntity). */
export interface FileAttachmentInput {
  filename: string;
  contentType: string;
  path: string;
  /** The file's length in bytes when it was chosen; a different length fails the send. */
  size: number;
}

/** Attributes of an Autocrypt header (Autocrypt Level 1, section "The Autocrypt Header"). */
export interface AutocryptHeaderFields {
  addr: string;
  preferEncrypt?: 'mutual' | 'nopreference';
  /** Binary OpenPGP transferable public key (not armored). */
  keydata: Uint8Array;
}
