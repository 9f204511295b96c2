// Reads the outer fields Sealpost stores for a message (Message-ID, From, Subject, Date and its
// kind) from the header section alone, so a headers-first sync (RFC 9051 BODY.PEEK[HEADER])
// can list a message before its body arrives. The kind is refined once the body is stored.

import type { HeaderFields, MessageKind } from '@sealpost/storage';
import { parseMessage } from '@sealpost/mail-transport';
import { isRatchetMessage } from '../message-kind.ts';

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

/** Reads the outer fields of a whole message; a malformed one is stored with kind 'malformed'. */
export function messageFields(raw: Uint8Array): {
  fields: HeaderFields;
  parsed: ReturnType<typeof parseMessage> | null;
} {
  let parsed: ReturnType<typeof parseMessage>;
  try {
    parsed = parseMessage(raw);
  } catch {
    // A malformed message is still stored as received; reading it reports the error.
    return {
      fields: { messageId: null, fromAddress: null, subject: null, date: null, kind: 'malformed' },
      parsed: null,
    };
  }
  return {
    fields: {
      messageId: parsed.headers.messageId ?? null,
      fromAddress: parsed.headers.from?.address?.toLowerCase() ?? null,
      subject: parsed.headers.subject ?? null,
      date: parsed.headers.date ?? null,
      kind: isRatchetMessage(parsed) ? 'ratchet' : storedKind(parsed.kind),
    },
    parsed,
  };
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
