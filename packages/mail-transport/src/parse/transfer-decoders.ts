// Incremental Content-Transfer-Encoding decoders (RFC 2045 section 6) for bodies that arrive in
// chunks cut anywhere. Each gives exactly the bytes that decodeTransferEncoding gives for the
// whole body at once: base64 drops every character outside the alphabet and quoted-printable
// follows libqp.decode, including its handling of trailing whitespace and soft line breaks.

import { latin1String } from '../mime/bytes.ts';
import { TransportError } from '../transport-error.ts';

/** Decodes a body chunk by chunk. `write` and `end` return the decoded bytes available so far. */
export interface TransferDecoder {
  write(bytes: Uint8Array): Uint8Array;
  end(): Uint8Array;
}

/**
 * Maximum quoted-printable text kept while waiting for a line feed. RFC 2045 section 6.7 limits
 * lines to 76 characters, so only hostile input comes near it.
 */
const MAX_QP_PENDING_CHARS = 1024 * 1024;

const EMPTY = new Uint8Array(0);

/** Returns the decoder for a lowercased Content-Transfer-Encoding value; others pass bytes through. */
export function createTransferDecoder(encoding: string): TransferDecoder {
  if (encoding === 'base64') return new Base64Decoder();
  if (encoding === 'quoted-printable') return new QuotedPrintableDecoder();
  return { write: (bytes) => bytes, end: () => EMPTY };
}

/** Decodes base64, carrying an incomplete 4-character quantum over to the next chunk. */
class Base64Decoder implements TransferDecoder {
  #rest = '';

  write(bytes: Uint8Array): Uint8Array {
    const text = this.#rest + latin1String(bytes).replace(/[^A-Za-z0-9+/]/g, '');
    const whole = text.length - (text.length % 4);
    this.#rest = text.slice(whole);
    return Buffer.from(text.slice(0, whole), 'base64');
  }

  /** Decodes the last 2 or 3 characters as Buffer.from does for a whole unpadded body. */
  end(): Uint8Array {
    const last = Buffer.from(this.#rest, 'base64');
    this.#rest = '';
    return last;
  }
}

/**
 * Decodes quoted-printable. Text is cleaned (trailing whitespace and soft line breaks removed)
 * only up to the last line feed, where both rules are complete. An "=" in the last two
 * characters of cleaned text waits for the chunk that may complete its =XX escape.
 */
class QuotedPrintableDecoder implements TransferDecoder {
  /** Raw text after the last line feed. */
  #pending = '';
  /** Cleaned text that may start an escape. */
  #tail = '';

  write(bytes: Uint8Array): Uint8Array {
    this.#pending += latin1String(bytes);
    let cut = this.#pending.lastIndexOf('\n') + 1;
    if (cut === 0 && this.#pending.length > MAX_QP_PENDING_CHARS) cut = safeCut(this.#pending);
    if (cut === 0) return EMPTY;
    const head = this.#pending.slice(0, cut);
    this.#pending = this.#pending.slice(cut);
    return this.#decode(cleanQuotedPrintable(head), false);
  }

  end(): Uint8Array {
    const head = this.#pending;
    this.#pending = '';
    return this.#decode(cleanQuotedPrintable(head), true);
  }

  #decode(cleaned: string, final: boolean): Uint8Array {
    let text = this.#tail + cleaned;
    this.#tail = '';
    const lastEquals = text.lastIndexOf('=');
    if (!final && lastEquals !== -1 && lastEquals >= text.length - 2) {
      this.#tail = text.slice(lastEquals);
      text = text.slice(0, lastEquals);
    }
    return decodeEscapes(text);
  }
}

/**
 * Returns where a long line without a line feed may be cut: after a character that can end
 * neither trailing whitespace nor a soft line break. Raises MIME_MALFORMED when there is none.
 */
function safeCut(text: string): number {
  let cut = text.length;
  while (cut > 0 && ' \t=\r'.includes(text[cut - 1]!)) cut--;
  if (cut === 0) {
    throw new TransportError(
      'MIME_MALFORMED',
      `a quoted-printable line has more than ${MAX_QP_PENDING_CHARS} characters of whitespace and "="; the message is kept as received but not parsed`,
    );
  }
  return cut;
}

/** Removes whitespace before line ends and soft line breaks, the two rules of libqp.decode. */
function cleanQuotedPrintable(text: string): string {
  return text.replace(/(^|[^ \t])[ \t]+(?=[\n\r]|$)/g, '$1').replace(/[=](?:\r?\n|$)/g, '');
}

/** Decodes =XX escapes; every other character is one byte (latin1). */
function decodeEscapes(text: string): Uint8Array {
  const output = Buffer.alloc(text.length);
  let length = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x3d && index < text.length - 2) {
      const high = hexValue(text.charCodeAt(index + 1));
      const low = hexValue(text.charCodeAt(index + 2));
      if (high >= 0 && low >= 0) {
        output[length++] = high * 16 + low;
        index += 2;
        continue;
      }
    }
    output[length++] = code;
  }
  return output.subarray(0, length);
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}
