// An unencrypted, unsigned message (RFC 5322 with RFC 2045 MIME), for a send that the user
// explicitly allowed in plaintext. Everything in it, Subject and attachments included, is
// readable by every server on the path.

import { buildContentEntity } from './content-entity.ts';
import { outerHeaderLines } from './outer-message.ts';
import { assertArgument } from '../transport-error.ts';
import type { AttachmentInput, AutocryptHeaderFields, MessageHeaderFields } from '../types.ts';

export interface PlainMessageInput {
  headers: MessageHeaderFields;
  text: string;
  attachments?: AttachmentInput[];
  autocrypt?: AutocryptHeaderFields;
}

/** Builds the complete plaintext message, CRLF line breaks, ready for SMTP. */
export function buildPlainMessage(input: PlainMessageInput): Uint8Array {
  assertArgument(
    typeof input === 'object' && input !== null,
    'buildPlainMessage input must be an object',
  );
  const { lines } = outerHeaderLines(input.headers, { kind: 'real' }, input.autocrypt);
  return buildContentEntity({
    rootHeaderLines: lines,
    rootParameters: {},
    text: input.text,
    attachments: input.attachments ?? [],
  });
}
