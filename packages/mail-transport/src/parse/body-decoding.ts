// Body decoding of a MIME leaf: Content-Transfer-Encoding (RFC 2045 section 6: base64,
// quoted-printable, 7bit, 8bit, binary) and then the charset of text parts. Unknown charsets
// fall back to UTF-8 with replacement characters rather than failing the whole message.

import iconv from 'iconv-lite';
import libqp from 'libqp';

import { firstFieldValue } from './header-section.ts';
import { parseParameterizedValue, type MimeNode } from './mime-tree.ts';
import { latin1String } from '../mime/bytes.ts';

const utf8Decoder = new TextDecoder('utf-8');

/** Returns the body bytes of a leaf as they are in the source, still transfer-encoded. */
export function rawBody(source: Uint8Array, node: MimeNode): Uint8Array {
  return source.subarray(node.bodyStart, node.end);
}

/** Returns a copy of the body bytes of a leaf with its Content-Transfer-Encoding removed. */
export function decodeTransferEncoding(source: Uint8Array, node: MimeNode): Uint8Array {
  const body = rawBody(source, node);
  const encoding = (firstFieldValue(node.fields, 'content-transfer-encoding') ?? '7bit')
    .trim()
    .toLowerCase();

  if (encoding === 'base64') {
    const base64 = latin1String(body).replace(/[^A-Za-z0-9+/]/g, '');
    return new Uint8Array(Buffer.from(base64, 'base64'));
  }
  if (encoding === 'quoted-printable') {
    return new Uint8Array(libqp.decode(Buffer.from(body)));
  }
  // A copy, so that the result does not share memory with the raw message.
  return body.slice();
}

/** Decodes text bytes in `charset` (default us-ascii, read as UTF-8, its superset). */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const name = (charset ?? 'utf-8').trim().toLowerCase();
  if (
    name === 'utf-8' ||
    name === 'utf8' ||
    name === 'us-ascii' ||
    name === 'ascii' ||
    name === ''
  ) {
    return utf8Decoder.decode(bytes);
  }
  if (iconv.encodingExists(name)) {
    return iconv.decode(Buffer.from(bytes), name);
  }
  return utf8Decoder.decode(bytes);
}

/** Returns the decoded text of a text/* leaf and the charset it was decoded from. */
export function decodeTextBody(
  source: Uint8Array,
  node: MimeNode,
): { text: string; charset: string } {
  const charset = node.parameters['charset']?.trim().toLowerCase() || 'us-ascii';
  return { text: decodeCharset(decodeTransferEncoding(source, node), charset), charset };
}

export interface Disposition {
  type: 'inline' | 'attachment' | null;
  filename: string | null;
}

/** Reads Content-Disposition (RFC 2183) and the filename, falling back to the Content-Type name. */
export function readDisposition(node: MimeNode): Disposition {
  const value = firstFieldValue(node.fields, 'content-disposition');
  let type: Disposition['type'] = null;
  let filename: string | null = null;
  if (value !== null) {
    const parsed = parseParameterizedValue(value);
    if (parsed.value === 'inline' || parsed.value === 'attachment') type = parsed.value;
    filename = parsed.parameters['filename'] ?? null;
  }
  filename ??= node.parameters['name'] ?? null;
  return { type, filename: filename?.trim() || null };
}
