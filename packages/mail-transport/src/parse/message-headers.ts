// Readers for the RFC 5322 section 3.6 fields of a received message: mailbox lists (with RFC
// 2047 display names), Subject, Date and the Message-ID family. Malformed values become null
// or are skipped rather than failing the message, because the raw bytes are kept anyway.

import addressparser from 'nodemailer/lib/addressparser';
import libmime from 'libmime';

import { fieldValues, firstFieldValue, type HeaderField } from './header-section.ts';

export interface ParsedMailbox {
  address: string;
  name: string | null;
}

export interface ParsedHeaders {
  from: ParsedMailbox | null;
  to: ParsedMailbox[];
  cc: ParsedMailbox[];
  subject: string | null;
  date: Date | null;
  /** Message-ID with angle brackets, e.g. `<id@example.org>`. */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
}

/** Parses the mailboxes of every field named `key`, with groups flattened. */
export function readMailboxes(fields: ReadonlyArray<HeaderField>, key: string): ParsedMailbox[] {
  const mailboxes: ParsedMailbox[] = [];
  for (const value of fieldValues(fields, key)) {
    for (const entry of addressparser(value, { flatten: true })) {
      const address = entry.address.trim();
      if (!address) continue;
      const name = entry.name ? decodeEncodedWords(entry.name).trim() : '';
      mailboxes.push({ address, name: name || null });
    }
  }
  return mailboxes;
}

/** An RFC 2047 encoded-word: charset, encoding and encoded text. */
const ENCODED_WORD = /=\?[^?\s]+\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decodes the RFC 2047 encoded-words of `value`. A value with a B-encoded word that is not valid
 * base64 is returned as it is, because decoding it anyway yields unreadable bytes.
 */
function decodeEncodedWords(value: string): string {
  for (const [, encoding, text] of value.matchAll(ENCODED_WORD)) {
    if (encoding!.toUpperCase() === 'B' && !isBase64(text!)) return value;
  }
  return libmime.decodeWords(value);
}

/**
 * Returns true for base64 text (RFC 4648 section 4). Missing padding is accepted, because some
 * mailers leave it out, but a last group of one character carries no whole byte.
 */
function isBase64(text: string): boolean {
  return text.replace(/=+$/, '').length % 4 !== 1 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

function readMessageIds(value: string | null): string[] {
  if (value === null) return [];
  const bracketed = value.match(/<[^<>\s]+>/g);
  if (bracketed) return bracketed;
  const bare = value.trim();
  return bare && !/\s/.test(bare) ? [`<${bare}>`] : [];
}

function readDate(value: string | null): Date | null {
  if (value === null) return null;
  const withoutComments = value.replace(/\([^()]*\)/g, ' ').trim();
  const time = Date.parse(withoutComments);
  return Number.isNaN(time) ? null : new Date(time);
}

/** Reads the RFC 5322 fields of one header section. */
export function readMessageHeaders(fields: ReadonlyArray<HeaderField>): ParsedHeaders {
  const subject = firstFieldValue(fields, 'subject');
  return {
    from: readMailboxes(fields, 'from')[0] ?? null,
    to: readMailboxes(fields, 'to'),
    cc: readMailboxes(fields, 'cc'),
    subject: subject === null ? null : decodeEncodedWords(subject),
    date: readDate(firstFieldValue(fields, 'date')),
    messageId: readMessageIds(firstFieldValue(fields, 'message-id'))[0] ?? null,
    inReplyTo: readMessageIds(firstFieldValue(fields, 'in-reply-to'))[0] ?? null,
    references: readMessageIds(firstFieldValue(fields, 'references')),
  };
}
