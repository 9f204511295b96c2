// PGP/MIME as real clients and servers send it: the "mixed-up" multipart/mixed of Exchange,
// Office 365 and Gmail, the ciphertext part found by structure whatever its name, disposition
// or transfer encoding, and inline PGP clearsigned in ISO-8859-1 sent quoted-printable.

import libqp from 'libqp';
import { describe, expect, it } from 'vitest';
import { base64Lines, loadMailFixture, readFixtureBytes } from '../../../../test/fixtures/load.ts';
import { parseMessage } from '../../src/index.ts';
import { ARMORED_CIPHERTEXT, ARMORED_SIGNATURE } from '../fixtures.ts';

const addresses = {
  FROM: 'alice@sealpost.test',
  TO: 'bob@sealpost.test',
  MESSAGE_ID: '<shape@sealpost.test>',
  OUTER_SUBJECT: '...',
};
const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
const values = {
  ...addresses,
  ARMOR: ARMORED_CIPHERTEXT,
  ARMOR_BASE64: base64Lines(ARMORED_CIPHERTEXT + '\r\n'),
};

describe('mixed-up PGP/MIME', () => {
  it('reads the Exchange form with an empty text part', () => {
    const raw = loadMailFixture('mixed-up-exchange.eml', values);
    const parsed = parseMessage(raw);
    expect(parsed.kind).toBe('pgp-mime-encrypted');
    expect(crlf(parsed.encrypted!.armoredCiphertext)).toBe(crlf(ARMORED_CIPHERTEXT));
  });

  it('reads the form without a text part', () => {
    const parsed = parseMessage(loadMailFixture('mixed-up-without-text-part.eml', values));
    expect(parsed.kind).toBe('pgp-mime-encrypted');
    expect(crlf(parsed.encrypted!.armoredCiphertext)).toBe(crlf(ARMORED_CIPHERTEXT));
  });

  it('leaves the raw bytes unchanged', () => {
    const raw = loadMailFixture('mixed-up-exchange.eml', values);
    const copy = raw.slice();
    parseMessage(raw);
    expect(raw).toEqual(copy);
  });

  it('needs the Version: 1 control part', () => {
    const text = Buffer.from(loadMailFixture('mixed-up-without-text-part.eml', values))
      .toString('latin1')
      .replace('\r\nVersion: 1\r\n', '\r\nVersion: 2\r\n');
    const parsed = parseMessage(new Uint8Array(Buffer.from(text, 'latin1')));
    expect(parsed.kind).toBe('plain');
  });

  it('rejects a non-empty leading text part', () => {
    const text = Buffer.from(loadMailFixture('mixed-up-exchange.eml', values))
      .toString('latin1')
      .replace(
        'Content-Transfer-Encoding: quoted-printable\r\n\r\n',
        'Content-Transfer-Encoding: quoted-printable\r\n\r\nPlease open the attachment.',
      );
    const parsed = parseMessage(new Uint8Array(Buffer.from(text, 'latin1')));
    expect(parsed.kind).toBe('plain');
  });
});

describe('ciphertext part by structure', () => {
  it('reads name=msg.asc, attachment, base64', () => {
    const parsed = parseMessage(loadMailFixture('encrypted-named-msg-asc.eml', values));
    expect(parsed.kind).toBe('pgp-mime-encrypted');
    expect(crlf(parsed.encrypted!.armoredCiphertext)).toBe(crlf(ARMORED_CIPHERTEXT));
  });

  it('reads no name, inline, 7bit', () => {
    const parsed = parseMessage(loadMailFixture('encrypted-unnamed-inline.eml', values));
    expect(parsed.kind).toBe('pgp-mime-encrypted');
    expect(crlf(parsed.encrypted!.armoredCiphertext)).toBe(crlf(ARMORED_CIPHERTEXT));
  });

  it('ignores an .asc name outside PGP/MIME', () => {
    const text = Buffer.from(loadMailFixture('mixed-up-exchange.eml', values))
      .toString('latin1')
      .replace('Content-Type: application/pgp-encrypted;', 'Content-Type: application/x-other;');
    const parsed = parseMessage(new Uint8Array(Buffer.from(text, 'latin1')));
    expect(parsed.kind).toBe('plain');
    expect(parsed.body?.attachments.map((attachment) => attachment.filename)).toContain(
      'encrypted.asc',
    );
  });
});

describe('inline PGP in ISO-8859-1', () => {
  const signedText = readFixtureBytes('inline-latin1-clearsigned.txt');

  function clearsigned(): string {
    const escaped = Buffer.from(signedText)
      .toString('latin1')
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => (line.startsWith('-') ? `- ${line}` : line))
      .join('\r\n');
    return [
      '-----BEGIN PGP SIGNED MESSAGE-----',
      'Hash: SHA256',
      '',
      escaped,
      ARMORED_SIGNATURE.replace(/\n/g, '\r\n'),
      '',
    ].join('\r\n');
  }

  it('returns the signed bytes in the original charset', () => {
    const qp = libqp.wrap(libqp.encode(Buffer.from(clearsigned(), 'latin1')), 76);
    const parsed = parseMessage(
      loadMailFixture('inline-latin1-clearsigned.eml', { ...addresses, CLEARSIGNED_QP: qp }),
    );
    expect(parsed.kind).toBe('inline-pgp-signed');
    expect(parsed.inline?.charset).toBe('iso-8859-1');

    const expected = Buffer.from(signedText)
      .toString('latin1')
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => line.replace(/[ \t]+$/, ''))
      .join('\r\n');
    expect(Buffer.from(parsed.inline!.cleartext!.signedBytes).toString('latin1')).toBe(expected);
    expect(parsed.inline!.cleartext!.armoredSignature).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
    expect(parsed.inline!.armored).toContain('Grüße aus Köln');
  });
});
