// The inner MIME entity of buildInnerEntity as a stream, for attachments too large to hold in
// memory: header section and text part first, then each attachment read from its file in
// chunks and base64-encoded in lines of 76 characters (RFC 2045 section 6.8). The bytes equal
// those of buildInnerEntity for the same content, apart from the random boundary.

import { open } from 'node:fs/promises';

import { attachmentHeaderSection, buildContentEntity, buildTextPart } from './content-entity.ts';
import { innerEntityRoot, type InnerEntityInput } from './inner-entity.ts';
import { CRLF, utf8Bytes } from '../mime/bytes.ts';
import {
  formatHeaderField,
  formatParameterizedValue,
  headerSection,
} from '../mime/header-format.ts';
import { encodeBase64Lines } from '../mime/transfer-encoding.ts';
import { createBoundary } from '../mime/multipart.ts';
import { TransportError, assertArgument } from '../transport-error.ts';
import type { AttachmentInput, FileAttachmentInput } from '../types.ts';

/** Input bytes per base64 line: 57 bytes become 76 characters. */
const BYTES_PER_LINE = 57;

/** Bytes read from an attachment file at a time, a whole number of base64 lines (about 1 MiB). */
const READ_CHUNK_BYTES = BYTES_PER_LINE * 18_396;

export interface StreamedEntityInput extends Omit<InnerEntityInput, 'attachments'> {
  /** Attachments in memory and attachments read from files, in the order they appear. */
  attachments: Array<AttachmentInput | FileAttachmentInput>;
}

/** Returns true for an attachment that is read from a file while the entity is streamed. */
export function isFileAttachment(
  attachment: AttachmentInput | FileAttachmentInput,
): attachment is FileAttachmentInput {
  return typeof (attachment as FileAttachmentInput).path === 'string';
}

/**
 * Yields the inner entity chunk by chunk. Raises INVALID_ARGUMENT before the first chunk for a
 * bad header field or attachment, and when a file's length differs from its declared `size`
 * (the file changed after the message size was checked).
 */
export async function* streamInnerEntity(input: StreamedEntityInput): AsyncGenerator<Uint8Array> {
  assertArgument(Array.isArray(input?.attachments), 'attachments must be an array');
  const root = innerEntityRoot(input);
  if (input.attachments.length === 0) {
    yield buildContentEntity({ ...root, text: input.text, attachments: [] });
    return;
  }

  const textPart = buildTextPart(input.text);
  const partHeaders = input.attachments.map((attachment, index) => {
    if (isFileAttachment(attachment)) checkFileAttachment(attachment, index);
    else {
      assertArgument(
        attachment?.content instanceof Uint8Array,
        `attachments[${index}].content must be a Uint8Array`,
      );
    }
    return utf8Bytes(attachmentHeaderSection(attachment, index));
  });
  // Base64 lines contain no "-", so a boundary can only collide with the text and the headers.
  const boundary = createBoundary([textPart, ...partHeaders]);
  const delimiter = utf8Bytes(`${CRLF}--${boundary}${CRLF}`);

  yield utf8Bytes(
    headerSection([
      ...root.rootHeaderLines,
      formatHeaderField(
        'Content-Type',
        formatParameterizedValue('multipart/mixed', { boundary, ...root.rootParameters }),
      ),
    ]),
  );
  yield utf8Bytes(`--${boundary}${CRLF}`);
  yield textPart;
  for (const [index, attachment] of input.attachments.entries()) {
    yield delimiter;
    yield partHeaders[index]!;
    if (isFileAttachment(attachment)) yield* base64LinesOfFile(attachment, index);
    else yield utf8Bytes(encodeBase64Lines(attachment.content));
  }
  yield utf8Bytes(`${CRLF}--${boundary}--${CRLF}`);
}

function checkFileAttachment(attachment: FileAttachmentInput, index: number): void {
  assertArgument(
    attachment.path.length > 0,
    `attachments[${index}].path is empty: give the attachment file's path`,
  );
  assertArgument(
    Number.isSafeInteger(attachment.size) && attachment.size >= 0,
    `attachments[${index}].size ${String(attachment.size)} is invalid: expected the file's length in bytes`,
  );
}

/** Reads the file in whole base64 lines and yields them CRLF-separated, with no final CRLF. */
async function* base64LinesOfFile(
  attachment: FileAttachmentInput,
  index: number,
): AsyncGenerator<Uint8Array> {
  const file = await open(attachment.path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let total = 0;
    let first = true;
    for (;;) {
      const length = await readFull(file, buffer);
      if (length === 0) break;
      total += length;
      if (total > attachment.size) break;
      const encoded = encodeBase64Lines(buffer.subarray(0, length));
      yield utf8Bytes(first ? encoded : CRLF + encoded);
      first = false;
      if (length < buffer.length) break;
    }
    if (total !== attachment.size) {
      throw new TransportError(
        'INVALID_ARGUMENT',
        `attachments[${index}] file ${attachment.path} has changed: expected ${attachment.size} bytes, ` +
          `read ${total > attachment.size ? 'more' : total}; send the message again`,
      );
    }
  } finally {
    await file.close();
  }
}

/** Fills `buffer` from the file's current position; returns fewer bytes only at its end. */
async function readFull(file: Awaited<ReturnType<typeof open>>, buffer: Buffer): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
