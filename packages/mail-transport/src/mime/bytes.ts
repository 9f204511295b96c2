// Byte helpers for MIME: CRLF canonicalisation (RFC 5322 section 2.1 and RFC 3156 section 5),
// concatenation and ASCII conversion. MIME structure is found on bytes, never on decoded
// strings, so the byte ranges that signatures cover stay exact.

export const CRLF = '\r\n';

const CR = 0x0d;
const LF = 0x0a;

const utf8Encoder = new TextEncoder();

/** Encodes a string as UTF-8 bytes. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Concatenates byte arrays and strings (strings as UTF-8) into one Uint8Array. */
export function concatBytes(chunks: ReadonlyArray<Uint8Array | string>): Uint8Array {
  const parts = chunks.map((chunk) => (typeof chunk === 'string' ? utf8Bytes(chunk) : chunk));
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Converts lone LF line breaks to CRLF. A lone CR stays as it is, as in GnuPG's text mode.
 * Returns the input itself when it is already canonical.
 */
export function toCanonicalCrlf(bytes: Uint8Array): Uint8Array {
  let loneLineFeeds = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === LF && (i === 0 || bytes[i - 1] !== CR)) loneLineFeeds++;
  }
  if (loneLineFeeds === 0) return bytes;

  const out = new Uint8Array(bytes.length + loneLineFeeds);
  let offset = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte === LF && (i === 0 || bytes[i - 1] !== CR)) out[offset++] = CR;
    out[offset++] = byte;
  }
  return out;
}

/** Converts any line breaks in a string to CRLF. */
export function toCrlfText(text: string): string {
  return text.replace(/\r\n|\r|\n/g, CRLF);
}

/** Reads bytes as Latin-1, one character per byte, so that no byte is lost or replaced. */
export function latin1String(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Returns true when every byte is 7-bit (below 0x80). */
export function isSevenBit(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte >= 0x80) return false;
  }
  return true;
}

/** Returns true when `bytes` equals `pattern` at `offset`. */
export function bytesMatchAt(bytes: Uint8Array, offset: number, pattern: Uint8Array): boolean {
  if (offset + pattern.length > bytes.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (bytes[offset + i] !== pattern[i]) return false;
  }
  return true;
}
