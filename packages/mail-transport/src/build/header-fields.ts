// Checks and writes the originator, destination and identification fields of RFC 5322 section
// 3.6 for the message builders. Only known keys are accepted, so a Bcc passed by mistake raises
// an error instead of leaking the blind recipients into a header that every recipient sees.

import {
  assertHeaderSafe,
  encodeUnstructured,
  formatDate,
  formatHeaderField,
  formatMailbox,
  formatMailboxList,
  formatMessageId,
  toMailbox,
} from '../mime/header-format.ts';
import { assertArgument } from '../transport-error.ts';
import type { EnvelopeHeaderFields, Mailbox } from '../types.ts';

const ENVELOPE_KEYS = ['from', 'to', 'cc', 'date', 'messageId', 'inReplyTo', 'references'];

/** Header fields after validation, in the form that goes on the wire. */
export interface CheckedHeaderFields {
  from: Mailbox;
  to: Mailbox[];
  cc: Mailbox[];
  subject: string | null;
  date: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
}

/**
 * Validates header fields. `subject` says whether a Subject is required ('required') or must be
 * absent ('forbidden', for the outer header of an encrypted message, whose Subject is a placeholder).
 */
export function checkHeaderFields(
  headers: EnvelopeHeaderFields & { subject?: string },
  subject: 'required' | 'forbidden',
): CheckedHeaderFields {
  assertArgument(typeof headers === 'object' && headers !== null, 'headers must be an object');
  const allowed = subject === 'required' ? [...ENVELOPE_KEYS, 'subject'] : ENVELOPE_KEYS;
  for (const key of Object.keys(headers)) {
    assertArgument(
      key.toLowerCase() !== 'bcc',
      'headers.bcc is not allowed: pass Bcc recipients only in the SMTP envelope (sendMessage envelope.to)',
    );
    assertArgument(
      allowed.includes(key),
      key === 'subject'
        ? 'headers.subject is not allowed on the outer message: put the real Subject in buildInnerEntity'
        : `headers.${key} is not a supported header field: use one of ${allowed.join(', ')}`,
    );
  }

  assertArgument(Array.isArray(headers.to), 'headers.to must be an array (it may be empty)');
  assertArgument(
    headers.cc === undefined || Array.isArray(headers.cc),
    'headers.cc must be an array',
  );
  assertArgument(
    headers.references === undefined || Array.isArray(headers.references),
    'headers.references must be an array of Message-IDs',
  );

  let checkedSubject: string | null = null;
  if (subject === 'required') {
    assertArgument(
      typeof headers.subject === 'string',
      'headers.subject must be a string (it may be empty)',
    );
    assertHeaderSafe('headers.subject', headers.subject);
    checkedSubject = headers.subject;
  }

  return {
    from: toMailbox(headers.from, 'headers.from'),
    to: headers.to.map((mailbox, i) => toMailbox(mailbox, `headers.to[${i}]`)),
    cc: (headers.cc ?? []).map((mailbox, i) => toMailbox(mailbox, `headers.cc[${i}]`)),
    subject: checkedSubject,
    date: formatDate(headers.date),
    messageId: formatMessageId(headers.messageId, 'headers.messageId'),
    inReplyTo:
      headers.inReplyTo === undefined
        ? null
        : formatMessageId(headers.inReplyTo, 'headers.inReplyTo'),
    references: (headers.references ?? []).map((id, i) =>
      formatMessageId(id, `headers.references[${i}]`),
    ),
  };
}

/**
 * Writes Date, From, To, Cc, Subject, Message-ID, In-Reply-To and References as header field
 * values (not yet lines), in that order. `subject` overrides the checked Subject.
 */
export function headerFieldValues(
  headers: CheckedHeaderFields,
  subject: string | null,
): Array<[string, string]> {
  const fields: Array<[string, string]> = [
    ['Date', headers.date],
    ['From', formatMailbox(headers.from)],
  ];
  if (headers.to.length > 0) fields.push(['To', formatMailboxList(headers.to)]);
  if (headers.cc.length > 0) fields.push(['Cc', formatMailboxList(headers.cc)]);
  if (subject !== null) fields.push(['Subject', encodeUnstructured(subject)]);
  fields.push(['Message-ID', headers.messageId]);
  if (headers.inReplyTo) fields.push(['In-Reply-To', headers.inReplyTo]);
  if (headers.references.length > 0) fields.push(['References', headers.references.join(' ')]);
  return fields;
}

/** Writes the fields of `headerFieldValues` as folded header lines. */
export function headerFieldLines(headers: CheckedHeaderFields, subject: string | null): string[] {
  return headerFieldValues(headers, subject).map(([name, value]) => formatHeaderField(name, value));
}
