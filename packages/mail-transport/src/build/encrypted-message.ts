// The PGP/MIME encrypted message of RFC 3156 section 4: multipart/encrypted with an
// application/pgp-encrypted part ("Version: 1") and an application/octet-stream part holding
// the armored ciphertext. The outer Subject is the RFC 9788 placeholder, and Bcc is never written.

import { armoredFilePart, checkArmor, joinOuterMultipart } from './openpgp-multipart.ts';
import { outerHeaderLines } from './outer-message.ts';
import { SUBJECT_PLACEHOLDER } from './inner-entity.ts';
import { CRLF } from '../mime/bytes.ts';
import { formatHeaderField, headerSection } from '../mime/header-format.ts';
import { joinEntity } from '../mime/multipart.ts';
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

  return joinEncryptedMessage(input.headers, input.autocrypt, armored);
}

/**
 * Joins the outer header section and both parts around `armored`, which the caller has checked
 * (buildEncryptedMessageFrame passes a placeholder that it cuts out again).
 */
export function joinEncryptedMessage(
  headers: EnvelopeHeaderFields,
  autocrypt: AutocryptHeaderFields | undefined,
  armored: string,
): Uint8Array {
  const { lines } = outerHeaderLines(
    headers,
    { kind: 'placeholder', text: SUBJECT_PLACEHOLDER },
    autocrypt,
  );

  const versionPart = joinEntity(
    headerSection([
      formatHeaderField('Content-Type', 'application/pgp-encrypted'),
      formatHeaderField('Content-Description', 'PGP/MIME version identification'),
    ]),
    `Version: 1${CRLF}`,
  );
  const ciphertextPart = armoredFilePart({
    contentType: 'application/octet-stream',
    fileName: 'encrypted.asc',
    description: 'OpenPGP encrypted message',
    disposition: 'inline',
    armored,
  });
  return joinOuterMultipart(
    lines,
    'multipart/encrypted',
    { protocol: 'application/pgp-encrypted' },
    [versionPart, ciphertextPart],
    PREAMBLE,
  );
}
