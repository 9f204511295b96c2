// Content entity writer: a text/plain part alone, or multipart/mixed with the text part first
// and one base64 part per attachment (RFC 2046 sections 4.1 and 5.1.3, Content-Disposition
// per RFC 2183 with RFC 2231 filenames). The caller supplies the root's other header fields.

import { encodeBase64Lines, encodeText } from '../mime/transfer-encoding.ts';
import {
  formatHeaderField,
  formatParameterizedValue,
  headerSection,
} from '../mime/header-format.ts';
import { createBoundary, joinEntity, joinMultipartBody } from '../mime/multipart.ts';
import { assertArgument } from '../transport-error.ts';
import type { AttachmentInput } from '../types.ts';

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

export interface ContentEntityInput {
  /** Header field lines of the root entity that come before its Content-Type. */
  rootHeaderLines: string[];
  /** Extra Content-Type parameters of the root entity, such as `hp`. */
  rootParameters: Record<string, string>;
  text: string;
  attachments: AttachmentInput[];
}

/** Builds the content entity: text/plain alone, or multipart/mixed when there are attachments. */
export function buildContentEntity(input: ContentEntityInput): Uint8Array {
  assertArgument(typeof input.text === 'string', 'text must be a string');
  assertArgument(Array.isArray(input.attachments), 'attachments must be an array');

  const text = encodeText(input.text);
  const textParameters = { charset: 'utf-8' };

  if (input.attachments.length === 0) {
    const lines = [
      ...input.rootHeaderLines,
      formatHeaderField(
        'Content-Type',
        formatParameterizedValue('text/plain', { ...textParameters, ...input.rootParameters }),
      ),
      formatHeaderField('Content-Transfer-Encoding', text.encoding),
    ];
    return joinEntity(headerSection(lines), text.body);
  }

  const parts = [buildTextPart(input.text), ...input.attachments.map(buildAttachmentPart)];

  const boundary = createBoundary(parts);
  const rootLines = [
    ...input.rootHeaderLines,
    formatHeaderField(
      'Content-Type',
      formatParameterizedValue('multipart/mixed', { boundary, ...input.rootParameters }),
    ),
  ];
  return joinEntity(headerSection(rootLines), joinMultipartBody(boundary, parts));
}

function buildAttachmentPart(attachment: AttachmentInput, index: number): Uint8Array {
  assertArgument(
    attachment?.content instanceof Uint8Array,
    `attachments[${index}].content must be a Uint8Array`,
  );
  return joinEntity(
    attachmentHeaderSection(attachment, index),
    encodeBase64Lines(attachment.content),
  );
}

/** Returns the text/plain part that comes first in multipart/mixed. */
export function buildTextPart(text: string): Uint8Array {
  const encoded = encodeText(text);
  return joinEntity(
    headerSection([
      formatHeaderField(
        'Content-Type',
        formatParameterizedValue('text/plain', { charset: 'utf-8' }),
      ),
      formatHeaderField('Content-Transfer-Encoding', encoded.encoding),
    ]),
    encoded.body,
  );
}

/** Returns the header section of a base64 attachment part, after checking its name and type. */
export function attachmentHeaderSection(
  attachment: Pick<AttachmentInput, 'filename' | 'contentType'>,
  index: number,
): string {
  const label = `attachments[${index}]`;
  assertArgument(
    typeof attachment?.filename === 'string' && attachment.filename.trim().length > 0,
    `${label}.filename is missing: give every attachment a file name`,
  );
  assertArgument(
    typeof attachment.contentType === 'string' && MEDIA_TYPE.test(attachment.contentType),
    `${label}.contentType ${JSON.stringify(attachment.contentType)} is invalid: expected type/subtype, e.g. application/pdf`,
  );

  const filename = attachment.filename.trim();
  const lines = [
    formatHeaderField(
      'Content-Type',
      formatParameterizedValue(attachment.contentType.toLowerCase(), { name: filename }),
    ),
    formatHeaderField('Content-Disposition', formatParameterizedValue('attachment', { filename })),
    formatHeaderField('Content-Transfer-Encoding', 'base64'),
  ];
  return headerSection(lines);
}
