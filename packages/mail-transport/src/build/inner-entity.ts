// The cryptographic payload of a message with header protection (RFC 9788 sections 2 and 4.1):
// its root carries the real Date, From, To, Cc, Subject and Message-ID, the Content-Type
// parameter hp ("cipher" when encrypted, "clear" when only signed) and, for Thunderbird and
// K-9 Mail, protected-headers="v1". When encrypted it records the outer fields as HP-Outer.

import { buildContentEntity } from './content-entity.ts';
import { checkHeaderFields, headerFieldLines, headerFieldValues } from './header-fields.ts';
import { formatFoldedHeaderField, formatHeaderField } from '../mime/header-format.ts';
import { assertArgument } from '../transport-error.ts';
import type { AttachmentInput, MessageHeaderFields } from '../types.ts';

/** Subject that RFC 9788 section 4.2 recommends for the outer header of an encrypted message. */
export const SUBJECT_PLACEHOLDER = '[...]';

export interface InnerEntityInput {
  headers: MessageHeaderFields;
  text: string;
  attachments?: AttachmentInput[];
  /** Autocrypt-Gossip header values, as returned by formatGossipHeader. */
  gossip?: string[];
  /** 'encrypted' (the default) writes hp="cipher" and HP-Outer fields, 'signed' writes hp="clear". */
  protection?: 'encrypted' | 'signed';
}

/** Builds the inner MIME entity that is encrypted (or signed) as a whole. */
export function buildInnerEntity(input: InnerEntityInput): Uint8Array {
  const root = innerEntityRoot(input);
  return buildContentEntity({ ...root, text: input.text, attachments: input.attachments ?? [] });
}

/** Checks the input and returns the root's header lines and extra Content-Type parameters. */
export function innerEntityRoot(input: Omit<InnerEntityInput, 'text' | 'attachments'>): {
  rootHeaderLines: string[];
  rootParameters: Record<string, string>;
} {
  assertArgument(
    typeof input === 'object' && input !== null,
    'buildInnerEntity input must be an object',
  );
  const protection = input.protection ?? 'encrypted';
  assertArgument(
    protection === 'encrypted' || protection === 'signed',
    `protection ${JSON.stringify(protection)} is invalid: use 'encrypted' or 'signed'`,
  );
  assertArgument(
    input.gossip === undefined ||
      (Array.isArray(input.gossip) && input.gossip.every((v) => typeof v === 'string')),
    'gossip must be an array of Autocrypt-Gossip header values',
  );

  const headers = checkHeaderFields(input.headers, 'required');
  const lines = headerFieldLines(headers, headers.subject);

  if (protection === 'encrypted') {
    // HP-Outer tells the receiver which fields the servers saw, so it can show what was hidden.
    for (const [name, value] of headerFieldValues(headers, SUBJECT_PLACEHOLDER)) {
      lines.push(formatHeaderField('HP-Outer', `${name}: ${value}`));
    }
  }
  for (const gossip of input.gossip ?? []) {
    lines.push(formatFoldedHeaderField('Autocrypt-Gossip', gossip));
  }

  return {
    rootHeaderLines: lines,
    rootParameters: {
      'protected-headers': 'v1',
      hp: protection === 'encrypted' ? 'cipher' : 'clear',
    },
  };
}
