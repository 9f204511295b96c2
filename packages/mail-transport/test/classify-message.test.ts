import { describe, expect, it } from 'vitest';

import { classifyMessage, parseMessage, TransportError } from '../src/index.ts';
import { ARMORED_CIPHERTEXT, ARMORED_SIGNATURE, bytesOf } from './fixtures.ts';

function message(lines: string[]): Uint8Array {
  return bytesOf(lines.join('\r\n'));
}

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
  'inline signed in base64 alternative': message([
    'From: bob@sealpost.test',
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(INLINE_SIGNED).toString('base64'),
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>signed</p>',
    '--b1--',
  ]),
  'quoted armor line': message([
    'From: bob@sealpost.test',
    '',
    '> -----BEGIN PGP MESSAGE-----',
    '> abc',
  ]),
  'PGP/MIME encrypted': message([
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
    ARMORED_CIPHERTEXT,
    '--e--',
  ]),
  'PGP/MIME encrypted without armor': message([
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
    'no armor here',
    '--e--',
  ]),
  'Exchange-mangled PGP/MIME': message([
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
    Buffer.from(`${ARMORED_CIPHERTEXT}\n`).toString('base64'),
    '--x--',
  ]),
  'PGP/MIME signed': message([
    'From: a@b.test',
    'Content-Type: multipart/signed; protocol="application/pgp-signature"; micalg=pgp-sha256; boundary=s',
    '',
    '--s',
    'Content-Type: text/plain',
    '',
    'hello',
    '--s',
    'Content-Type: application/pgp-signature',
    '',
    ARMORED_SIGNATURE,
    '--s--',
  ]),
  'S/MIME signed': message([
    'From: a@b.test',
    'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary=s',
    '',
    '--s',
    'Content-Type: text/plain',
    '',
    'hello',
    '--s',
    'Content-Type: application/pkcs7-signature',
    'Content-Transfer-Encoding: base64',
    '',
    'AAAA',
    '--s--',
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
    let seed = 4242;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
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
