// The PGP/MIME encrypted message of buildEncryptedMessage (RFC 3156 section 4) split around its
// armored ciphertext, so the ciphertext can be streamed from the encryption into a file between
// `head` and `tail` and never be held in memory whole. armorLineBreaks turns the LF line breaks
// that openpgp.js writes in ASCII armor into the CRLF that a message on the wire needs.

import { Transform } from 'node:stream';

import { joinEncryptedMessage } from './encrypted-message.ts';
import { latin1String, utf8Bytes } from '../mime/bytes.ts';
import { assertArgument } from '../transport-error.ts';
import type { AutocryptHeaderFields, EnvelopeHeaderFields } from '../types.ts';

/** Stands in for the armored ciphertext while the frame is built; it never reaches the output. */
const PLACEHOLDER =
  '-----BEGIN PGP MESSAGE-----\r\n\r\nPLACEHOLDER\r\n-----END PGP MESSAGE-----\r\n';

export interface EncryptedMessageFrame {
  /** Outer header section and every part up to where the armored ciphertext starts. */
  head: Uint8Array;
  /** What follows the armored ciphertext (which ends in CRLF): the closing delimiter. */
  tail: Uint8Array;
}

/**
 * Returns the bytes around the armored ciphertext of a PGP/MIME encrypted message. Armor lines
 * contain no "-" after the BEGIN line, so the boundary chosen here cannot occur in them.
 */
export function buildEncryptedMessageFrame(input: {
  headers: EnvelopeHeaderFields;
  autocrypt?: AutocryptHeaderFields;
}): EncryptedMessageFrame {
  assertArgument(
    typeof input === 'object' && input !== null,
    'buildEncryptedMessageFrame input must be an object',
  );
  const whole = latin1String(joinEncryptedMessage(input.headers, input.autocrypt, PLACEHOLDER));
  const at = whole.indexOf(PLACEHOLDER);
  return {
    head: Buffer.from(whole.slice(0, at), 'latin1'),
    tail: utf8Bytes(whole.slice(at + PLACEHOLDER.length)),
  };
}

/** Returns a Transform that writes each LF of ASCII armor as CRLF; other bytes pass unchanged. */
export function armorLineBreaks(): Transform {
  return new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let count = 0;
      for (const byte of bytes) if (byte === 0x0a) count += 1;
      const output = Buffer.allocUnsafe(bytes.length + count);
      let written = 0;
      let start = 0;
      for (let index = bytes.indexOf(0x0a); index !== -1; index = bytes.indexOf(0x0a, start)) {
        written += bytes.copy(output, written, start, index);
        output[written++] = 0x0d;
        output[written++] = 0x0a;
        start = index + 1;
      }
      bytes.copy(output, written, start);
      callback(null, output);
    },
  });
}
