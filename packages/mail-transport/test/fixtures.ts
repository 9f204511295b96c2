// Shared inputs for the MIME tests: header fields, a fake armored ciphertext and signature
// (this package never looks inside them), and helpers to read built bytes as text.

import type { MessageHeaderFields } from '../src/index.ts';

export const HEADERS: MessageHeaderFields = {
  from: { address: 'alice@sealpost.test', name: 'Alice Müller' },
  to: ['bob@sealpost.test', { address: 'carol@sealpost.test', name: 'Carol, the "Reviewer"' }],
  cc: [{ address: 'dave@sealpost.test', name: 'Dave' }],
  subject: 'Grüße – the secret plans for Q3',
  date: new Date('2025-03-04T05:06:07Z'),
  messageId: '<m1.7f3a@sealpost.test>',
  inReplyTo: 'm0.1111@sealpost.test',
  references: ['<m-1.0000@sealpost.test>', '<m0.1111@sealpost.test>'],
};

export function outerHeaders(): Omit<MessageHeaderFields, 'subject'> {
  const outer: Partial<MessageHeaderFields> = { ...HEADERS };
  delete outer.subject;
  return outer as Omit<MessageHeaderFields, 'subject'>;
}

export const ARMORED_CIPHERTEXT = [
  '-----BEGIN PGP MESSAGE-----',
  '',
  'hF4DAAAAAAAAAAASAQdAexampleexampleexampleexampleexampleexampleexam',
  'wcBMA0ABCDEF0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR',
  '=abcd',
  '-----END PGP MESSAGE-----',
].join('\n');

export const ARMORED_SIGNATURE = [
  '-----BEGIN PGP SIGNATURE-----',
  '',
  'iHUEARYKAB0WIQSexampleexampleexampleexampleexampleexampleexampleex',
  '=wxyz',
  '-----END PGP SIGNATURE-----',
].join('\n');

export function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

/** Returns the header section (before the first empty line) of a built message. */
export function headerSectionOf(bytes: Uint8Array): string {
  const all = text(bytes);
  return all.slice(0, all.indexOf('\r\n\r\n'));
}

export function bytesOf(source: string): Uint8Array {
  return new Uint8Array(Buffer.from(source, 'latin1'));
}

/** Joins header and body lines with CRLF into the bytes of a message. */
export function messageOf(lines: string[]): Uint8Array {
  return bytesOf(lines.join('\r\n'));
}

/** Returns a PGP/MIME encrypted message (RFC 3156 section 4) whose second part is `payload`. */
export function pgpMimeEncryptedMessage(payload: string): Uint8Array {
  return messageOf([
    'From: bob@sealpost.test',
    'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="e"',
    '',
    '--e',
    'Content-Type: application/pgp-encrypted',
    '',
    'Version: 1',
    '--e',
    'Content-Type: application/octet-stream',
    '',
    payload,
    '--e--',
  ]);
}

/**
 * Returns PGP/MIME as Exchange rewrites it: multipart/mixed with an empty text part first and
 * the armored ciphertext (followed by a newline) in base64.
 */
export function exchangeMangledMessage(armoredCiphertext: string): Uint8Array {
  return messageOf([
    'From: bob@sealpost.test',
    'Content-Type: multipart/mixed; boundary="x"',
    '',
    '--x',
    'Content-Type: text/plain; charset="us-ascii"',
    '',
    '',
    '--x',
    'Content-Type: application/pgp-encrypted; name="PGPMIME Versions Identification"',
    '',
    'Version: 1',
    '--x',
    'Content-Type: application/octet-stream; name="encrypted.asc"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(`${armoredCiphertext}\n`).toString('base64'),
    '--x--',
  ]);
}

/**
 * Returns multipart/alternative with `text` as a base64 text/plain part and an HTML part, the
 * form in which some clients send inline-signed mail.
 */
export function base64AlternativeMessage(text: string): Uint8Array {
  return messageOf([
    'From: bob@sealpost.test',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(text).toString('base64'),
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>signed</p>',
    '--b1--',
  ]);
}

/**
 * Returns multipart/signed (RFC 1847) with `parameters` and boundary s. The first part is the
 * text "hello", and the lines `signaturePart` are the header and body of the second.
 */
export function multipartSignedMessage(parameters: string, signaturePart: string[]): Uint8Array {
  return messageOf([
    'From: a@b.test',
    `Content-Type: multipart/signed; ${parameters}; boundary=s`,
    '',
    '--s',
    'Content-Type: text/plain',
    '',
    'hello',
    '--s',
    ...signaturePart,
    '--s--',
  ]);
}

/** Returns a PGP/MIME signed message (RFC 3156 section 5) whose signature is `signatureLines`. */
export function pgpMimeSignedMessage(signatureLines: string[]): Uint8Array {
  return multipartSignedMessage('protocol="application/pgp-signature"; micalg=pgp-sha256', [
    'Content-Type: application/pgp-signature',
    '',
    ...signatureLines,
  ]);
}

/** Returns a linear congruential generator of numbers in [0, 1), so mutation tests repeat. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
