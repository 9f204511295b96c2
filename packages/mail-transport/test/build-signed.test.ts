import { describe, expect, it } from 'vitest';

import {
  buildInnerEntity,
  buildSignedMessage,
  buildSignedPart,
  parseEntity,
  parseMessage,
} from '../src/index.ts';
import { ARMORED_SIGNATURE, HEADERS, bytesOf, headerSectionOf, text } from './fixtures.ts';

function signedEntity(): Uint8Array {
  return buildInnerEntity({
    headers: HEADERS,
    text: 'Signed words\nFrom Alice, with trailing space \n',
    attachments: [
      {
        filename: 'data.bin',
        contentType: 'application/octet-stream',
        content: new Uint8Array([0, 255, 10]),
      },
    ],
    protection: 'signed',
  });
}

describe('buildSignedPart', () => {
  it('returns 7-bit CRLF bytes unchanged', () => {
    const entity = signedEntity();
    const toSign = buildSignedPart(entity);

    expect(Buffer.from(toSign).equals(Buffer.from(entity))).toBe(true);
    expect(toSign.every((byte) => byte < 0x80)).toBe(true);
    expect(/(?<!\r)\n/.test(text(toSign))).toBe(false);
    expect(
      text(toSign)
        .split('\r\n')
        .some((line) => /[ \t]$/.test(line)),
    ).toBe(false);
  });

  it('converts lone LF to CRLF', () => {
    const toSign = buildSignedPart(bytesOf('Content-Type: text/plain\n\nhello\nworld'));
    expect(text(toSign)).toBe('Content-Type: text/plain\r\n\r\nhello\r\nworld');
  });

  it('rejects 8-bit bytes and trailing whitespace', () => {
    expect(() => buildSignedPart(bytesOf('Content-Type: text/plain\r\n\r\nGr\xfc\xdfe'))).toThrow(
      /8-bit bytes/,
    );
    expect(() => buildSignedPart(bytesOf('Content-Type: text/plain\r\n\r\nhello \r\n'))).toThrow(
      /line 3 ends in whitespace/,
    );
  });
});

describe('buildSignedMessage', () => {
  it('keeps the signed bytes exact through parsing', () => {
    const entity = signedEntity();
    const toSign = buildSignedPart(entity);
    const raw = buildSignedMessage({
      headers: HEADERS,
      signedEntity: entity,
      armoredSignature: ARMORED_SIGNATURE,
      micalg: 'pgp-sha256',
    });
    const parsed = parseMessage(raw);

    expect(parsed.kind).toBe('pgp-mime-signed');
    expect(Buffer.from(parsed.signed!.signedBytes).equals(Buffer.from(toSign))).toBe(true);
    expect(parsed.signed?.micalg).toBe('pgp-sha256');
    expect(parsed.signed?.armoredSignature).toBe(ARMORED_SIGNATURE.replace(/\n/g, '\r\n'));
  });

  it('shows the real subject outside and inside', () => {
    const raw = buildSignedMessage({
      headers: HEADERS,
      signedEntity: signedEntity(),
      armoredSignature: ARMORED_SIGNATURE,
      micalg: 'pgp-sha512',
    });
    const header = headerSectionOf(raw);

    expect(header).toMatch(
      /Content-Type: multipart\/signed; micalg="pgp-sha512";\s+protocol="application\/pgp-signature"/,
    );
    expect(parseMessage(raw).headers.subject).toBe(HEADERS.subject);
    expect(text(raw)).not.toMatch(/^Bcc:/im);

    const content = parseEntity(parseMessage(raw).signed!.signedBytes);
    expect(content.protectedHeaders?.subject).toBe(HEADERS.subject);
    expect(content.text).toBe('Signed words\nFrom Alice, with trailing space \n');
    expect(content.attachments[0]?.content).toEqual(new Uint8Array([0, 255, 10]));
  });

  it('recovers CRLF signed bytes from a LF-only copy', () => {
    const entity = signedEntity();
    const raw = buildSignedMessage({
      headers: HEADERS,
      signedEntity: entity,
      armoredSignature: ARMORED_SIGNATURE,
      micalg: 'pgp-sha256',
    });
    const lfOnly = new Uint8Array(Buffer.from(text(raw).replace(/\r\n/g, '\n')));

    const parsed = parseMessage(lfOnly);
    expect(Buffer.from(parsed.signed!.signedBytes).equals(Buffer.from(entity))).toBe(true);
  });

  it('exposes a signed entity found inside a decrypted payload', () => {
    const entity = signedEntity();
    const raw = buildSignedMessage({
      headers: HEADERS,
      signedEntity: entity,
      armoredSignature: ARMORED_SIGNATURE,
      micalg: 'pgp-sha256',
    });
    const parsed = parseEntity(raw);

    expect(parsed.signed?.micalg).toBe('pgp-sha256');
    expect(Buffer.from(parsed.signed!.signedBytes).equals(Buffer.from(entity))).toBe(true);
    expect(parsed.protectedHeaders?.subject).toBe(HEADERS.subject);
  });

  it('rejects an unknown micalg', () => {
    expect(() =>
      buildSignedMessage({
        headers: HEADERS,
        signedEntity: signedEntity(),
        armoredSignature: ARMORED_SIGNATURE,
        micalg: 'pgp-md5' as 'pgp-sha256',
      }),
    ).toThrow(/micalg "pgp-md5" is invalid/);
  });
});
