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
