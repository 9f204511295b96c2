import { describe, expect, it } from 'vitest';

import { classifyMessage, parseMessage, TransportError } from '../src/index.ts';
import {
  ARMORED_CIPHERTEXT,
  ARMORED_SIGNATURE,
  base64AlternativeMessage,
  bytesOf,
  exchangeMangledMessage,
  messageOf as message,
  multipartSignedMessage,
  pgpMimeEncryptedMessage,
  pgpMimeSignedMessage,
  seededRandom,
} from './fixtures.ts';

const INLINE_SIGNED =
  '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhello\n' + `${ARMORED_SIGNATURE}\n`;

/** Messages of every kind that parseMessage distinguishes, and attachment structures. */
const CASES: Record<string, Uint8Array> = {
  'plain text': message([
    'From: Bob <bob@sealpost.test>',
    'Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=',
    'Date: Tue, 04 Mar 2025 05:06:07 +0000',
    'Message-ID: <p1@sealpost.test>',
    'Autocrypt: addr=bob@sealpost.test; keydata=',
    ' bWFkZSB1cA==',
    '',
    'hello',
  ]),
  'inline encrypted': message([
    'From: bob@sealpost.test',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'intro',
    ARMORED_CIPHERTEXT,
  ]),
  'inline signed in base64 alternative': base64AlternativeMessage(INLINE_SIGNED),
  'quoted armor line': message([
    'From: bob@sealpost.test',
    '',
    '> -----BEGIN PGP MESSAGE-----',
    '> abc',
  ]),
  'PGP/MIME encrypted': pgpMimeEncryptedMessage(ARMORED_CIPHERTEXT),
  'PGP/MIME encrypted without armor': pgpMimeEncryptedMessage('no armor here'),
  'Exchange-mangled PGP/MIME': exchangeMangledMessage(ARMORED_CIPHERTEXT),
  'PGP/MIME signed': pgpMimeSignedMessage([ARMORED_SIGNATURE]),
  'S/MIME signed': multipartSignedMessage('protocol="application/pkcs7-signature"', [
    'Content-Type: application/pkcs7-signature',
    'Content-Transfer-Encoding: base64',
    '',
    'AAAA',
  ]),
  'attachments, alternative and a ratchet part': message([
    'From: bob@sealpost.test',
    'Content-Type: multipart/mixed; boundary="m"',
    '',
    '--m',
    'Content-Type: multipart/alternative; boundary="a"',
    '',
    '--a',
    'Content-Type: text/plain',
    '',
    'text',
    '--a',
    'Content-Type: image/png',
    '',
    'ignored inside alternative',
    '--a',
    'Content-Type: text/html',
    '',
    '<p>first html</p>',
    '--a--',
    '--m',
    'Content-Type: text/html',
    '',
    '<p>second html is an attachment</p>',
    '--m',
    'Content-Type: text/plain',
    'Content-Disposition: attachment; filename="notes.txt"',
    '',
    'attached text',
    '--m',
    'Content-Type: application/x-sealpost-ratchet',
    'Content-Transfer-Encoding: base64',
    '',
    'AAECAw==',
    '--m--',
  ]),
  'text/plain attachment only': message([
    'From: bob@sealpost.test',
    'Content-Type: text/plain',
    'Content-Disposition: attachment; filename="a.txt"',
    '',
    ARMORED_CIPHERTEXT,
  ]),
  'multipart without boundary': message([
    'From: bob@sealpost.test',
    'Content-Type: multipart/mixed',
    '',
    'body',
  ]),
  'garbage bytes': bytesOf('\u0000\u0001 not a message at all'),
};

/** Runs `parse`, returning its result or the code of the TransportError it raised. */
function outcome<T>(parse: () => T): T | { error: string } {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    return { error: error.code };
  }
}

/** What parseMessage returns that classifyMessage must match. */
function expectedOf(raw: Uint8Array) {
  return outcome(() => {
    const parsed = parseMessage(raw);
    return {
      headers: parsed.headers,
      autocryptHeaders: parsed.autocryptHeaders,
      kind: parsed.kind,
      attachmentTypes: (parsed.body?.attachments ?? []).map((part) => part.contentType),
    };
  });
}

describe('classifyMessage', () => {
  for (const [name, raw] of Object.entries(CASES)) {
    it(`matches parseMessage: ${name}`, () => {
      expect(outcome(() => classifyMessage(raw))).toEqual(expectedOf(raw));
    });
  }

  it('lists attachment types in document order', () => {
    const classified = classifyMessage(CASES['attachments, alternative and a ratchet part']!);

    expect(classified.kind).toBe('plain');
    expect(classified.attachmentTypes).toEqual([
      'text/html',
      'text/plain',
      'application/x-sealpost-ratchet',
    ]);
  });

  it('matches parseMessage on random mutations', () => {
    const random = seededRandom(4242);
    const bases = Object.values(CASES);
    for (let round = 0; round < 600; round++) {
      const mutated = new Uint8Array(bases[round % bases.length]!);
      for (let i = 0; i < 3; i++) {
        mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      }
      expect(outcome(() => classifyMessage(mutated))).toEqual(expectedOf(mutated));
    }
  });
});
