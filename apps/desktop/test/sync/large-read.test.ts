// openFileMessage against real message files and real OpenPGP messages. The armored ciphertext
// part of a PGP/MIME message (RFC 3156 section 4) is streamed out of the encrypted file and
// decrypts through decryptArmoredStream to the original entity. A file whose structure is not
// PGP/MIME is rejected with MIME_MALFORMED before anything is decrypted.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptAndSign, generateIdentity, type GeneratedIdentity } from '@sealpost/crypto-core';
import { decryptArmoredStream } from '../../src/core/large-decrypt.ts';
import {
  openFileMessage,
  pgpMimeBoundary,
  type OpenedFileMessage,
} from '../../src/core/large-read.ts';
import { MessageFiles } from '../../src/core/message-files.ts';

const BOUNDARY = 'b1_sealpost_test';
const HEADER =
  'From: alice@sealpost.test\r\nTo: bob@sealpost.test\r\nSubject: ...\r\n' +
  'Message-ID: <large-1@sealpost.test>\r\nMIME-Version: 1.0\r\n' +
  `Content-Type: multipart/encrypted;\r\n protocol="application/pgp-encrypted";\r\n boundary="${BOUNDARY}"\r\n\r\n`;

function pgpMime(
  armored: string,
  controlType = 'application/pgp-encrypted',
  encoding: 'identity' | 'base64' = 'identity',
): Buffer {
  const crlf = armored.replace(/\r?\n/g, '\r\n');
  const body =
    encoding === 'base64'
      ? 'Content-Transfer-Encoding: base64\r\n\r\n' +
        Buffer.from(crlf, 'latin1').toString('base64').replace(/.{76}/g, '$&\r\n')
      : `\r\n${crlf}`;
  return Buffer.from(
    `${HEADER}This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n` +
      `--${BOUNDARY}\r\nContent-Type: ${controlType}\r\n\r\nVersion: 1\r\n\r\n` +
      `--${BOUNDARY}\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\n` +
      `${body}\r\n--${BOUNDARY}--\r\n`,
    'latin1',
  );
}

async function* chunks(bytes: Buffer, size = 300_000): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size)
    yield bytes.subarray(offset, offset + size);
}

describe('openFileMessage', () => {
  let root: string;
  let files: MessageFiles;
  let alice: GeneratedIdentity;
  let bob: GeneratedIdentity;
  const entity = Buffer.concat([
    Buffer.from(
      'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n',
    ),
    Buffer.from(
      randomBytes(3 * 1024 * 1024)
        .toString('base64')
        .replace(/.{76}/g, '$&\r\n'),
    ),
  ]);

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'sealpost-large-read-'));
    files = new MessageFiles(path.join(root, 'messages'));
    alice = await generateIdentity({ address: 'alice@sealpost.test', passphrase: 'a' });
    bob = await generateIdentity({ address: 'bob@sealpost.test', passphrase: 'b' });
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Encrypts `entity` to bob and signs it as alice, armored. */
  function encryptEntity(): Promise<string> {
    return encryptAndSign({
      data: entity,
      recipientCertificates: [bob.certificate],
      signingKey: { secretKey: alice.secretKey, passphrase: 'a' },
    });
  }

  /** Decrypts the ciphertext of `opened` as bob and checks it is `entity` signed by alice. */
  async function expectEntity(opened: OpenedFileMessage): Promise<void> {
    const decrypted = await decryptArmoredStream({
      message: opened.ciphertext!(),
      decryptionKeys: [{ secretKey: bob.secretKey, passphrase: 'b' }],
      verificationCertificates: [alice.certificate],
      expectedSignerAddress: 'alice@sealpost.test',
    });
    expect(Buffer.from(decrypted.data).equals(entity)).toBe(true);
    expect(decrypted.signatures.map((signature) => signature.status)).toEqual(['valid']);
  }

  it('reads the boundary of PGP/MIME only', () => {
    expect(pgpMimeBoundary(Buffer.from(HEADER))).toBe(BOUNDARY);
    expect(
      pgpMimeBoundary(Buffer.from('Content-Type: multipart/mixed; boundary=x\r\n\r\n')),
    ).toBeNull();
    expect(
      pgpMimeBoundary(Buffer.from('Content-Type: multipart/encrypted; boundary=x\r\n\r\n')),
    ).toBeNull();
  });

  it('streams the ciphertext to decryption', async () => {
    const message = await encryptEntity();
    const file = await files.write(chunks(pgpMime(message)));
    const opened = await openFileMessage(files, file, Buffer.from(HEADER));

    expect(opened.parsed.kind).toBe('pgp-mime-encrypted');
    expect(opened.parsed.headers.messageId).toBe('<large-1@sealpost.test>');
    expect(opened.parsed.headers.from?.address).toBe('alice@sealpost.test');
    await expectEntity(opened);
  }, 60_000);

  it('decodes a base64 ciphertext part', async () => {
    const message = await encryptEntity();
    const file = await files.write(
      chunks(pgpMime(message, 'application/pgp-encrypted', 'base64'), 299_999),
    );
    const opened = await openFileMessage(files, file, Buffer.from(HEADER));

    await expectEntity(opened);
  }, 60_000);

  it('rejects a wrong control part', async () => {
    const file = await files.write(chunks(pgpMime('not armor', 'text/plain')));
    const opened = await openFileMessage(files, file, Buffer.from(HEADER));
    const parts: Uint8Array[] = [];
    const read = async () => {
      for await (const part of opened.ciphertext!()) parts.push(part);
    };
    await expect(read()).rejects.toMatchObject({ code: 'MIME_MALFORMED' });
    expect(parts).toEqual([]);
  });

  it('rejects a missing ciphertext part', async () => {
    const cut = Buffer.from(
      `${HEADER}--${BOUNDARY}\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--${BOUNDARY}--\r\n`,
    );
    const file = await files.write(chunks(cut));
    const opened = await openFileMessage(files, file, Buffer.from(HEADER));
    const read = async () => {
      for await (const part of opened.ciphertext!()) expect(part).toBeUndefined();
    };
    await expect(read()).rejects.toMatchObject({ code: 'MIME_MALFORMED' });
  });

  it('parses other messages in memory', async () => {
    const plain = Buffer.from(
      'From: alice@sealpost.test\r\nSubject: Plain\r\nContent-Type: text/plain\r\n\r\nHello.\r\n',
    );
    const file = await files.write(chunks(plain));
    const opened = await openFileMessage(
      files,
      file,
      plain.subarray(0, plain.indexOf('\r\n\r\n') + 4),
    );
    expect(opened.ciphertext).toBeNull();
    expect(opened.parsed.kind).toBe('plain');
    expect(opened.parsed.body?.text).toBe('Hello.\n');
  });
});
