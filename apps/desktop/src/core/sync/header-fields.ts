// Reads the outer fields Sealpost stores for a message (Message-ID, From, Subject, Date and its
// kind) from the header section alone, so a headers-first sync (RFC 9051 BODY.PEEK[HEADER])
// can list a message before its body arrives. The kind is refined once the body is stored, by
// classifyMessage, which decodes only the parts the kind depends on. Reading and search indexing
// do the full parse later.

import type { HeaderFields, MessageKind } from '@sealpost/storage';
import {
  classifyMessage,
  parseMessage,
  type MessageClassification,
} from '@sealpost/mail-transport';
import { RATCHET_CONTENT_TYPE } from '../ratchet/wire-format.ts';

type ParsedKind = ReturnType<typeof parseMessage>['kind'];

/** Parses a header section; a header that cannot be parsed yields empty fields, never an error. */
export function headerFields(header: Uint8Array): HeaderFields {
  const text = Buffer.from(header).toString('latin1');
  const contentType = (unfoldedField(text, 'content-type') ?? 'text/plain').toLowerCase();
  // Without the Content-Type the MIME parser reads the section as a plain message with no body.
  const withoutContentType = text.replace(/^content-type:.*\r?\n(?:[ \t].*\r?\n)*/gim, '');
  let parsed: ReturnType<typeof parseMessage> | null;
  try {
    parsed = parseMessage(Buffer.from(withoutContentType, 'latin1'));
  } catch {
    parsed = null;
  }
  return {
    messageId: parsed?.headers.messageId ?? null,
    fromAddress: parsed?.headers.from?.address?.toLowerCase() ?? null,
    subject: parsed?.headers.subject ?? null,
    date: parsed?.headers.date ?? null,
    kind: kindFromContentType(contentType),
  };
}

/**
 * Reads the outer fields of a whole message. A malformed one gets kind 'malformed' and a null
 * `classified`, which otherwise contains the headers and Autocrypt headers for key learning.
 */
export function messageFields(raw: Uint8Array): {
  fields: HeaderFields;
  classified: MessageClassification | null;
} {
  let classified: MessageClassification;
  try {
    classified = classifyMessage(raw);
  } catch {
    // A malformed message is still stored as received; reading it reports the error.
    return {
      fields: { messageId: null, fromAddress: null, subject: null, date: null, kind: 'malformed' },
      classified: null,
    };
  }
  return {
    fields: {
      messageId: classified.headers.messageId ?? null,
      fromAddress: classified.headers.from?.address?.toLowerCase() ?? null,
      subject: classified.headers.subject ?? null,
      date: classified.headers.date ?? null,
      kind: isRatchet(classified) ? 'ratchet' : storedKind(classified.kind),
    },
    classified,
  };
}

/**
 * Returns true for a plain message with exactly one ratchet part, the rule isRatchetMessage
 * (message-kind.ts) applies to a full parse.
 */
function isRatchet(classified: MessageClassification): boolean {
  if (classified.kind !== 'plain') return false;
  const parts = classified.attachmentTypes.filter((type) => type === RATCHET_CONTENT_TYPE);
  return parts.length === 1;
}

/** Maps the parser's message kind to the stored one. */
export function storedKind(kind: ParsedKind): MessageKind {
  switch (kind) {
    case 'pgp-mime-encrypted':
    case 'pgp-mime-signed':
    case 'plain':
      return kind;
    case 'inline-pgp-encrypted':
      return 'pgp-inline-encrypted';
    case 'inline-pgp-signed':
      return 'pgp-inline-signed';
  }
}

function kindFromContentType(contentType: string): MessageKind {
  if (contentType.startsWith('multipart/encrypted') && contentType.includes('pgp-encrypted')) {
    return 'pgp-mime-encrypted';
  }
  if (contentType.startsWith('multipart/signed') && contentType.includes('pgp-signature')) {
    return 'pgp-mime-signed';
  }
  // Inline PGP and plain mail look alike until the body is read.
  return 'unknown';
}

function unfoldedField(text: string, name: string): string | null {
  const match = new RegExp(`^${name}:(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(text);
  return match ? match[1]!.replace(/\r?\n[ \t]/g, ' ').trim() : null;
}
