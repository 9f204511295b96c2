import { describe, expect, it } from 'vitest';

import {
  buildEncryptedMessage,
  buildInnerEntity,
  buildPlainMessage,
  parseEntity,
  parseMessage,
  TransportError,
} from '../src/index.ts';
import { ARMORED_CIPHERTEXT, HEADERS, headerSectionOf, outerHeaders, text } from './fixtures.ts';

const ATTACHMENT_BYTES = new Uint8Array(Array.from({ length: 600 }, (_, i) => (i * 37) % 256));

describe('buildInnerEntity', () => {
  it('carries the real headers and hp="cipher"', () => {
    const inner = buildInnerEntity({ headers: HEADERS, text: 'Hello Bob' });
    const header = headerSectionOf(inner);

    expect(header).toMatch(/^Content-Type: text\/plain;[^]*hp="cipher"/m);
    expect(header).toContain('protected-headers="v1"');
    expect(header).toContain('Message-ID: <m1.7f3a@sealpost.test>');
    expect(header).toContain('HP-Outer: Subject: [...]');
    expect(header).not.toMatch(/^Bcc:/im);

    const parsed = parseEntity(inner);
    expect(parsed.protectedHeaders?.subject).toBe(HEADERS.subject);
    expect(parsed.protectedHeaders?.from).toEqual({
      address: 'alice@sealpost.test',
      name: 'Alice Müller',
    });
    expect(parsed.protectedHeaders?.to).toEqual([
      { address: 'bob@sealpost.test', name: null },
      { address: 'carol@sealpost.test', name: 'Carol, the "Reviewer"' },
    ]);
    expect(parsed.protectedHeaders?.cc).toEqual([{ address: 'dave@sealpost.test', name: 'Dave' }]);
    expect(parsed.protectedHeaders?.date?.toISOString()).toBe('2025-03-04T05:06:07.000Z');
    expect(parsed.protectedHeaders?.messageId).toBe('<m1.7f3a@sealpost.test>');
    expect(parsed.headers.inReplyTo).toBe('<m0.1111@sealpost.test>');
    expect(parsed.headers.references).toEqual([
      '<m-1.0000@sealpost.test>',
      '<m0.1111@sealpost.test>',
    ]);
    expect(parsed.text).toBe('Hello Bob');
  });

  it('writes hp="clear" and no HP-Outer when only signed', () => {
    const inner = buildInnerEntity({ headers: HEADERS, text: 'Hi', protection: 'signed' });
    const header = headerSectionOf(inner);

    expect(header).toContain('hp="clear"');
    expect(header).not.toContain('HP-Outer');
  });

  it('round-trips attachments with binary bytes and non-ASCII names', () => {
    const inner = buildInnerEntity({
      headers: HEADERS,
      text: 'See attached.\n',
      attachments: [
        {
          filename: 'Übersicht résumé 2025.pdf',
          contentType: 'application/pdf',
          content: ATTACHMENT_BYTES,
        },
        { filename: 'empty.txt', contentType: 'text/plain', content: new Uint8Array(0) },
      ],
    });

    expect(headerSectionOf(inner)).toMatch(/Content-Type: multipart\/mixed;[^]*hp="cipher"/);
    expect(text(inner)).toContain("filename*0*=utf-8''");

    const parsed = parseEntity(inner);
    expect(parsed.text).toBe('See attached.\n');
    expect(parsed.attachments).toHaveLength(2);
    expect(parsed.attachments[0]?.filename).toBe('Übersicht résumé 2025.pdf');
    expect(parsed.attachments[0]?.contentType).toBe('application/pdf');
    expect(parsed.attachments[0]?.size).toBe(600);
    expect(Buffer.from(parsed.attachments[0]!.content).equals(Buffer.from(ATTACHMENT_BYTES))).toBe(
      true,
    );
    expect(parsed.attachments[1]?.filename).toBe('empty.txt');
    expect(parsed.attachments[1]?.size).toBe(0);
  });

  it('round-trips text needing quoted-printable', () => {
    const body = 'Grüße!\nFrom the team\ntrailing space   \n' + 'x'.repeat(120) + '\n.\n';
    const inner = buildInnerEntity({ headers: HEADERS, text: body });
    const raw = text(inner);

    expect(raw).toContain('Content-Transfer-Encoding: quoted-printable');
    expect(raw).toContain('=46rom the team');
    expect(raw.split('\r\n').every((line) => line.length <= 78)).toBe(true);
    expect(parseEntity(inner).text).toBe(body);
  });

  it('round-trips mostly non-ASCII text as base64', () => {
    const body = 'こんにちは、ボブさん。秘密の計画です。';
    const inner = buildInnerEntity({ headers: HEADERS, text: body });

    expect(text(inner)).toContain('Content-Transfer-Encoding: base64');
    expect(parseEntity(inner).text).toBe(body);
  });

  it('carries Autocrypt-Gossip values', () => {
    const gossip = ['addr=carol@sealpost.test; keydata=\r\n AAECAw=='];
    const parsed = parseEntity(buildInnerEntity({ headers: HEADERS, text: 'x', gossip }));

    expect(parsed.gossipHeaders).toEqual(['addr=carol@sealpost.test; keydata= AAECAw==']);
  });

  it('folds long header fields to 78 characters', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({
      address: `recipient${i}@sealpost.test`,
      name: `Récipient Nummer ${i}`,
    }));
    const headers = {
      ...HEADERS,
      to: many,
      subject: 'Ein sehr langer Betreff mit Umlauten äöü, '.repeat(6),
    };
    const inner = buildInnerEntity({ headers, text: 'x' });
    const lines = headerSectionOf(inner).split('\r\n');

    expect(lines.every((line) => line.length <= 78)).toBe(true);
    expect(lines.some((line) => /[ \t]$/.test(line))).toBe(false);
    expect(parseEntity(inner).protectedHeaders?.subject).toBe(headers.subject.trim());
    expect(parseEntity(inner).protectedHeaders?.to).toHaveLength(12);
    expect(parseEntity(inner).protectedHeaders?.to[11]?.name).toBe('Récipient Nummer 11');
  });

  it('rejects Bcc and header injection', () => {
    const withBcc = { ...HEADERS, bcc: ['eve@sealpost.test'] } as unknown as typeof HEADERS;
    expect(() => buildInnerEntity({ headers: withBcc, text: 'x' })).toThrow(/bcc is not allowed/);

    const injected = { ...HEADERS, subject: 'hi\r\nBcc: eve@sealpost.test' };
    expect(() => buildInnerEntity({ headers: injected, text: 'x' })).toThrow(TransportError);

    const badAddress = { ...HEADERS, to: ['bob@sealpost.test>, eve@x'] };
    expect(() => buildInnerEntity({ headers: badAddress, text: 'x' })).toThrow(/is invalid/);
  });
});

describe('buildEncryptedMessage', () => {
  it('hides the subject behind the placeholder', () => {
    const raw = buildEncryptedMessage({
      headers: outerHeaders(),
      armoredCiphertext: ARMORED_CIPHERTEXT,
    });
    const header = headerSectionOf(raw);

    expect(header).toContain('Subject: [...]');
    expect(text(raw)).not.toContain('secret plans');
    expect(text(raw)).not.toContain('Gr=C3=BC');
    expect(header).toMatch(
      /Content-Type: multipart\/encrypted; protocol="application\/pgp-encrypted";/,
    );
    expect(header).toContain('MIME-Version: 1.0');
    expect(header).toContain('Cc: Dave <dave@sealpost.test>');
    expect(text(raw)).not.toMatch(/^Bcc:/im);
    expect(text(raw)).toContain('\r\nVersion: 1\r\n');
    expect(text(raw)).toContain('name="encrypted.asc"');
    expect(/(?<!\r)\n/.test(text(raw))).toBe(false);
  });

  it('parses back as pgp-mime-encrypted', () => {
    const raw = buildEncryptedMessage({
      headers: outerHeaders(),
      armoredCiphertext: ARMORED_CIPHERTEXT,
    });
    const parsed = parseMessage(raw);

    expect(parsed.kind).toBe('pgp-mime-encrypted');
    expect(parsed.encrypted?.armoredCiphertext).toBe(ARMORED_CIPHERTEXT.replace(/\n/g, '\r\n'));
    expect(parsed.headers.subject).toBe('[...]');
    expect(parsed.headers.from?.address).toBe('alice@sealpost.test');
    expect(parsed.body).toBeUndefined();
  });

  it('rejects a subject on the outer message', () => {
    const headers = { ...outerHeaders(), subject: 'leak' };
    expect(() => buildEncryptedMessage({ headers, armoredCiphertext: ARMORED_CIPHERTEXT })).toThrow(
      /subject is not allowed on the outer message/,
    );
  });

  it('rejects Bcc on the outer message', () => {
    const headers = { ...outerHeaders(), bcc: ['eve@sealpost.test'] };
    expect(() => buildEncryptedMessage({ headers, armoredCiphertext: ARMORED_CIPHERTEXT })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('rejects ciphertext that is not armored', () => {
    expect(() =>
      buildEncryptedMessage({ headers: outerHeaders(), armoredCiphertext: 'plain words' }),
    ).toThrow(/not an ASCII-armored PGP MESSAGE/);
  });

  it('rejects an Autocrypt addr that differs from From', () => {
    const autocrypt = { addr: 'mallory@sealpost.test', keydata: new Uint8Array([1, 2, 3]) };
    expect(() =>
      buildEncryptedMessage({
        headers: outerHeaders(),
        armoredCiphertext: ARMORED_CIPHERTEXT,
        autocrypt,
      }),
    ).toThrow(/differs from From/);
  });
});

describe('buildPlainMessage', () => {
  it('round-trips subject, text and attachment', () => {
    const raw = buildPlainMessage({
      headers: HEADERS,
      text: 'Plain hello',
      attachments: [
        {
          filename: 'a.bin',
          contentType: 'application/octet-stream',
          content: new Uint8Array([9, 8, 7]),
        },
      ],
    });
    const parsed = parseMessage(raw);

    expect(parsed.kind).toBe('plain');
    expect(parsed.headers.subject).toBe(HEADERS.subject);
    expect(parsed.body?.text).toBe('Plain hello');
    expect(parsed.body?.attachments[0]?.content).toEqual(new Uint8Array([9, 8, 7]));
    expect(headerSectionOf(raw)).not.toContain('hp=');
  });
});
