// Multipart body writer (RFC 2046 section 5.1.1): random boundaries that occur in no part, and
// the delimiter layout `--boundary CRLF part CRLF --boundary ... --boundary-- CRLF`. The CRLF
// in front of each delimiter belongs to the delimiter, not to the part before it.

import { randomBytes } from 'node:crypto';

import { CRLF, concatBytes, utf8Bytes } from './bytes.ts';

const BOUNDARY_RANDOM_BYTES = 18;

/** Creates a random boundary that occurs in none of `parts`. */
export function createBoundary(parts: ReadonlyArray<Uint8Array>): string {
  for (;;) {
    const boundary = `sealpost-${randomBytes(BOUNDARY_RANDOM_BYTES).toString('base64url')}`;
    const needle = Buffer.from(boundary);
    const collides = parts.some((part) =>
      Buffer.from(part.buffer, part.byteOffset, part.byteLength).includes(needle),
    );
    if (!collides) return boundary;
  }
}

/**
 * Joins parts into a multipart body. `preamble` is text for readers without MIME support,
 * which MIME receivers ignore.
 */
export function joinMultipartBody(
  boundary: string,
  parts: ReadonlyArray<Uint8Array>,
  preamble = '',
): Uint8Array {
  const chunks: Array<Uint8Array | string> = [];
  if (preamble) chunks.push(preamble + CRLF);
  for (const part of parts) {
    chunks.push(`--${boundary}${CRLF}`, part, CRLF);
  }
  chunks.push(`--${boundary}--${CRLF}`);
  return concatBytes(chunks);
}

/** Joins a header section and a body into one entity. */
export function joinEntity(headerSection: string, body: Uint8Array | string): Uint8Array {
  return concatBytes([utf8Bytes(headerSection), body]);
}
