// Content-Transfer-Encoding writers (RFC 2045 section 6). Output is 7-bit with CRLF line breaks
// and lines of at most 76 characters, and no line ends in whitespace. A part can then be signed
// as it is, because MTAs may re-encode 8-bit data or strip trailing spaces (RFC 3156 section 5).

import libqp from 'libqp';

import { CRLF, toCrlfText, utf8Bytes } from './bytes.ts';

export type TransferEncoding = '7bit' | 'quoted-printable' | 'base64';

export interface EncodedBody {
  encoding: TransferEncoding;
  /** Encoded body, 7-bit ASCII with CRLF line breaks. */
  body: string;
}

const MAX_LINE_LENGTH = 76;

/** Encodes bytes as base64 in lines of 76 characters. */
export function encodeBase64Lines(content: Uint8Array): string {
  const base64 = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString(
    'base64',
  );
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += MAX_LINE_LENGTH) {
    lines.push(base64.slice(i, i + MAX_LINE_LENGTH));
  }
  return lines.join(CRLF);
}

/**
 * Encodes bytes as quoted-printable. A line that starts with "From " gets its F encoded, because
 * mbox-style MTAs rewrite it to ">From " and that would change signed content.
 */
export function encodeQuotedPrintable(content: Uint8Array): string {
  const encoded = libqp.wrap(libqp.encode(Buffer.from(content)), MAX_LINE_LENGTH);
  return encoded.replace(/(^|\r\n)From /g, '$1=46rom ');
}

/**
 * Encodes text with CRLF line breaks in the lightest transfer encoding that keeps it 7-bit safe.
 * Short ASCII lines stay 7bit. Text where more than a third of the bytes are not ASCII becomes
 * base64, and other text becomes quoted-printable.
 */
export function encodeText(text: string): EncodedBody {
  const canonical = toCrlfText(text);
  const lines = canonical.split(CRLF);
  const sevenBitSafe =
    /^[\x20-\x7e\t\r\n]*$/.test(canonical) &&
    lines.every(
      (line) => line.length <= MAX_LINE_LENGTH && !/[ \t]$/.test(line) && !line.startsWith('From '),
    );
  if (sevenBitSafe) return { encoding: '7bit', body: canonical };

  const bytes = utf8Bytes(canonical);
  const nonAscii = bytes.reduce((count, byte) => count + (byte >= 0x80 ? 1 : 0), 0);
  if (nonAscii * 3 > bytes.length) return { encoding: 'base64', body: encodeBase64Lines(bytes) };
  return { encoding: 'quoted-printable', body: encodeQuotedPrintable(bytes) };
}
