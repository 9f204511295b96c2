import { describe, expect, it } from 'vitest';

import { MAX_MIME_DEPTH, parseEntity, parseMessage, TransportError } from '../src/index.ts';
import {
  base64AlternativeMessage,
  bytesOf,
  exchangeMangledMessage,
  messageOf as message,
  multipartSignedMessage,
  pgpMimeSignedMessage,
  seededRandom,
} from './fixtures.ts';

function expectMalformed(run: () => unknown, message?: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TransportError);
  expect((caught as TransportError).code).toBe('MIME_MALFORMED');
  if (message) expect((caught as TransportError).message).toMatch(message);
}

describe('parseMessage inline PGP', () => {
  it('detects an inline encrypted message', () => {
    const raw = message([
      'From: Bob <bob@sealpost.test>',
      'Subject: hi',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'Some intro',
      '-----BEGIN PGP MESSAGE-----',
      '',
      'hQEMA1234',
      '-----END PGP MESSAGE-----',
      'footer',
    ]);
    const parsed = parseMessage(raw);

    expect(parsed.kind).toBe('inline-pgp-encrypted');
    expect(parsed.inline?.armored).toBe(
      '-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA1234\r\n-----END PGP MESSAGE-----',
    );
    expect(parsed.inline?.charset).toBe('us-ascii');
  });

  it('detects an inline signed message after base64 decoding', () => {
    const body =
      '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhello\n-----BEGIN PGP SIGNATURE-----\n\niQ\n-----END PGP SIGNATURE-----\n';
    const raw = base64AlternativeMessage(body);
    const parsed = parseMessage(raw);

    expect(parsed.kind).toBe('inline-pgp-signed');
    expect(
      parsed.inline?.armored.startsWith('-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256'),
    ).toBe(true);
    expect(parsed.inline?.armored.endsWith('-----END PGP SIGNATURE-----')).toBe(true);
  });

  it('ignores a quoted armor line', () => {
    const raw = message(['From: bob@sealpost.test', '', '> -----BEGIN PGP MESSAGE-----', '> abc']);
    expect(parseMessage(raw).kind).toBe('plain');
  });
});

describe('parseMessage PGP/MIME detection', () => {
  it('reads the Exchange-mangled form', () => {
    const raw = exchangeMangledMessage(
      '-----BEGIN PGP MESSAGE-----\n\nabc\n-----END PGP MESSAGE-----',
    );
    const parsed = parseMessage(raw);

    expect(parsed.kind).toBe('pgp-mime-encrypted');
    expect(parsed.encrypted?.armoredCiphertext).toBe(
      '-----BEGIN PGP MESSAGE-----\n\nabc\n-----END PGP MESSAGE-----',
    );
  });

  it('does not trust a file name', () => {
    const raw = message([
      'From: bob@sealpost.test',
      'Content-Type: multipart/mixed; boundary="x"',
      '',
      '--x',
      'Content-Type: text/plain',
      '',
      'hello',
      '--x',
      'Content-Type: application/octet-stream; name="encrypted.asc"',
      'Content-Disposition: attachment; filename="encrypted.asc"',
      '',
      'not really',
      '--x--',
    ]);
    const parsed = parseMessage(raw);

    expect(parsed.kind).toBe('plain');
    expect(parsed.body?.attachments[0]?.filename).toBe('encrypted.asc');
  });

  it('rejects multipart/encrypted without the version part', () => {
    const raw = message([
      'From: bob@sealpost.test',
      'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="x"',
      '',
      '--x',
      'Content-Type: application/octet-stream',
      '',
      '-----BEGIN PGP MESSAGE-----',
      '--x--',
    ]);
    expectMalformed(
      () => parseMessage(raw),
      /expected 2|must hold an application\/pgp-encrypted part/,
    );
  });
});

describe('parseMessage decoding', () => {
  it('decodes iso-8859-1 quoted-printable', () => {
    const raw = message([
      'From: =?iso-8859-1?Q?J=F6rg_B=E4r?= <joerg@sealpost.test>',
      'To: "Doe, Jane" <jane@sealpost.test>, bob@sealpost.test',
      'Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus =?utf-8?B?S8O2bG4=?=',
      'Date: Tue, 1 Jul 2025 10:00:00 +0200 (CEST)',
      'Message-ID: <q1@sealpost.test>',
      'Content-Type: text/plain; charset=ISO-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Sch=F6ne Gr=FC=DFe, lange Zeile mit weichem Umbruch =',
      'hier.',
    ]);
    const parsed = parseMessage(raw);

    expect(parsed.kind).toBe('plain');
    expect(parsed.headers.from).toEqual({ address: 'joerg@sealpost.test', name: 'Jörg Bär' });
    expect(parsed.headers.to).toEqual([
      { address: 'jane@sealpost.test', name: 'Doe, Jane' },
      { address: 'bob@sealpost.test', name: null },
    ]);
    expect(parsed.headers.subject).toBe('Grüße aus Köln');
    expect(parsed.headers.date?.toISOString()).toBe('2025-07-01T08:00:00.000Z');
    expect(parsed.body?.text).toBe('Schöne Grüße, lange Zeile mit weichem Umbruch hier.');
    expect(parsed.body?.protectedHeaders).toBeNull();
  });

  it('keeps an invalid encoded-word as written', () => {
    const subjectOf = (subject: string) =>
      parseMessage(message([`Subject: ${subject}`, 'Content-Type: text/plain', '', 'x'])).headers
        .subject;

    expect(subjectOf('=?utf-8?B?!!!broken?=')).toBe('=?utf-8?B?!!!broken?=');
    expect(subjectOf('=?utf-8?B?S8O2bG4?=')).toBe('Köln');
    expect(subjectOf('=?utf-8?B?S?=')).toBe('=?utf-8?B?S?=');
  });

  it('reads S/MIME multipart/signed as plain', () => {
    const raw = multipartSignedMessage('protocol="application/pkcs7-signature"; micalg=sha-256', [
      'Content-Type: application/pkcs7-signature; name=smime.p7s',
      'Content-Transfer-Encoding: base64',
      '',
      'AQID',
    ]);
    const parsed = parseMessage(raw);

    expect(parsed.kind).toBe('plain');
    expect(parsed.body?.text).toBe('hello');
    expect(parsed.body?.signed).toBeUndefined();
    expect(parsed.body?.attachments[0]?.contentType).toBe('application/pkcs7-signature');
  });

  it('joins RFC 2231 filename continuations', () => {
    const raw = message([
      'From: bob@sealpost.test',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: application/octet-stream',
      "Content-Disposition: attachment; filename*0*=iso-8859-1''R%E9sum%E9;",
      ' filename*1=" final.txt"',
      'Content-Transfer-Encoding: base64',
      '',
      'AQID',
      '--b--',
    ]);
    const attachment = parseMessage(raw).body?.attachments[0];

    expect(attachment?.filename).toBe('Résumé final.txt');
    expect(attachment?.content).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('returns copies, not views of raw', () => {
    const raw = message([
      'From: a@b.test',
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: binary',
      '',
      'abc',
    ]);
    const attachment = parseMessage(raw).body!.attachments[0]!;
    attachment.content[0] = 0x7a;

    expect(Buffer.from(raw).toString('latin1').endsWith('abc')).toBe(true);
  });

  it('returns Autocrypt headers unfolded', () => {
    const raw = message([
      'From: bob@sealpost.test',
      'Autocrypt: addr=bob@sealpost.test; keydata=',
      ' AAEC',
      ' AwQF',
      '',
      'hi',
    ]);
    expect(parseMessage(raw).autocryptHeaders).toEqual([
      'addr=bob@sealpost.test; keydata= AAEC AwQF',
    ]);
  });

  it('skips the RFC 9788 legacy display part', () => {
    const raw = message([
      'Content-Type: multipart/mixed; boundary="b"; hp="cipher"',
      'Subject: real subject',
      'From: alice@sealpost.test',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8; hp-legacy-display="1"',
      '',
      'Subject: real subject',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'the body',
      '--b--',
    ]);
    const parsed = parseEntity(raw);

    expect(parsed.protectedHeaders?.subject).toBe('real subject');
    expect(parsed.text).toBe('the body');
  });
});

describe('parseMessage malformed input', () => {
  it('rejects garbage bytes', () => {
    const garbage = new Uint8Array(4096).map((_, i) => (i * 131 + 7) % 256);
    expectMalformed(() => parseMessage(garbage));
    expectMalformed(() => parseMessage(new Uint8Array(0)));
    expectMalformed(() => parseMessage(bytesOf('just some words\r\nwithout any header\r\n')));
    expectMalformed(() => parseMessage('From: x' as unknown as Uint8Array));
  });

  it('rejects multipart without boundary', () => {
    expectMalformed(
      () => parseMessage(message(['From: a@b.test', 'Content-Type: multipart/mixed', '', 'body'])),
      /no boundary parameter/,
    );
    expectMalformed(() =>
      parseMessage(
        message([
          'From: a@b.test',
          'Content-Type: multipart/mixed; boundary=zz',
          '',
          'no delimiter',
        ]),
      ),
    );
  });

  it('bounds nesting depth', () => {
    const depth = MAX_MIME_DEPTH + 5;
    const lines = ['From: a@b.test'];
    for (let i = 0; i < depth; i++) {
      lines.push(`Content-Type: multipart/mixed; boundary="b${i}"`, '', `--b${i}`);
    }
    lines.push('Content-Type: text/plain', '', 'deep');
    const raw = message(lines);

    expectMalformed(() => parseMessage(raw), /deeper than 32 levels/);
  });

  it('parses an unterminated multipart', () => {
    const raw = message([
      'From: a@b.test',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'cut off',
    ]);
    expect(parseMessage(raw).body?.text).toBe('cut off');
  });

  it('survives random mutations without crashing', () => {
    const base = pgpMimeSignedMessage([
      '-----BEGIN PGP SIGNATURE-----',
      '-----END PGP SIGNATURE-----',
    ]);
    const random = seededRandom(12345);
    for (let round = 0; round < 500; round++) {
      const mutated = new Uint8Array(base);
      for (let i = 0; i < 4; i++)
        mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      try {
        parseMessage(mutated);
      } catch (error) {
        expect(error).toBeInstanceOf(TransportError);
        expect((error as TransportError).code).toBe('MIME_MALFORMED');
      }
    }
  });
});
