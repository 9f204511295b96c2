// The PGP/MIME encrypted message of RFC 3156 section 4: multipart/encrypted with an
// application/pgp-encrypted part ("Version: 1") and an application/octet-stream part holding
// the armored ciphertext. The outer Subject is the RFC 9788 placeholder, and Bcc is never written.

import { outerHeaderLines } from './outer-message.ts';
import { SUBJECT_PLACEHOLDER } from './inner-entity.ts';
import { CRLF, toCrlfText } from '../mime/bytes.ts';
import {
  formatHeaderField,
  formatParameterizedValue,
  headerSection,
} from '../mime/header-format.ts';
import { createBoundary, joinEntity, joinMultipartBody } from '../mime/multipart.ts';
import { assertArgument } from '../transport-error.ts';
import type { AutocryptHeaderFields, EnvelopeHeaderFields } from '../types.ts';

const PREAMBLE = 'This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)';

export interface EncryptedMessageInput {
  /** Outer header fields. A subject is rejected: the real Subject goes in buildInnerEntity. */
  headers: EnvelopeHeaderFields;
  /** ASCII-armored OpenPGP message that encrypts the entity from buildInnerEntity. */
  armoredCiphertext: string;
  autocrypt?: AutocryptHeaderFields;
}

/** Builds the complete RFC 5322 message, CRLF line breaks, ready for SMTP. */
export function buildEncryptedMessage(input: EncryptedMessageInput): Uint8Array {
  assertArgument(
    typeof input === 'object' && input !== null,
    'buildEncryptedMessage input must be an object',
  );
  const armored = checkArmor(input.armoredCiphertext, 'armoredCiphertext', 'PGP MESSAGE');

  const { lines } = outerHeaderLines(
    input.headers,
    { kind: 'placeholder', text: SUBJECT_PLACEHOLDER },
    input.autocrypt,
  );

  const versionPart = joinEntity(
    headerSection([
      formatHeaderField('Content-Type', 'application/pgp-encrypted'),
      formatHeaderField('Content-Description', 'PGP/MIME version identification'),
    ]),
    `Version: 1${CRLF}`,
  );
  const ciphertextPart = joinEntity(
    headerSection([
      formatHeaderField(
        'Content-Type',
        formatParameterizedValue('application/octet-stream', { name: 'encrypted.asc' }),
      ),
      formatHeaderField('Content-Description', 'OpenPGP encrypted message'),
      formatHeaderField(
        'Content-Disposition',
        formatParameterizedValue('inline', { filename: 'encrypted.asc' }),
      ),
    ]),
    armored,
  );

  const parts = [versionPart, ciphertextPart];
  const boundary = createBoundary(parts);
  lines.push(
    formatHeaderField(
      'Content-Type',
      formatParameterizedValue('multipart/encrypted', {
        protocol: 'application/pgp-encrypted',
        boundary,
      }),
    ),
  );
  return joinEntity(headerSection(lines), joinMultipartBody(boundary, parts, PREAMBLE));
}

/**
 * Checks an ASCII armor block (RFC 9580 section 6.2) of the given type and returns it with CRLF
 * line breaks and a final CRLF.
 */
export function checkArmor(
  armored: unknown,
  label: string,
  type: 'PGP MESSAGE' | 'PGP SIGNATURE',
): string {
  assertArgument(typeof armored === 'string', `${label} must be a string`);
  const text = toCrlfText(armored.trim()) + CRLF;
  assertArgument(
    /^[\x20-\x7e\r\n\t]*$/.test(text),
    `${label} contains non-ASCII characters: pass the ASCII-armored form`,
  );
  assertArgument(
    text.startsWith(`-----BEGIN ${type}-----`) && text.trimEnd().endsWith(`-----END ${type}-----`),
    `${label} is not an ASCII-armored ${type} block: expected -----BEGIN ${type}----- ... -----END ${type}-----`,
  );
  return text;
}
