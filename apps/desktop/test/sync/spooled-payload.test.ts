// readSpooledPayload against real OpenPGP messages streamed from real message files: the
// decrypted PGP/MIME payload is parsed from the spool, a large attachment lands in an encrypted
// file of the "attachments" folder with no plaintext on disk, and releaseAttachments deletes it.
// A tampered ciphertext raises DECRYPT_FAILED before any attachment file is written, and a
// payload with a multipart/signed part is returned whole for the in-memory path.

import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptAndSign, generateIdentity, type GeneratedIdentity } from '@sealpost/crypto-core';
import { parseEntity } from '@sealpost/mail-transport';
import { openArmoredStream, readSpooledPayload } from '../../src/core/large-decrypt.ts';
import { MessageFiles, ORPHAN_AGE_MS } from '../../src/core/message-files.ts';
import {
  attachmentBytes,
  attachmentChunks,
  releaseAttachments,
} from '../../src/core/read-attachments.ts';

const MIB = 1024 * 1024;

/** A canary that must never appear on disk in the clear. */
const CANARY = Buffer.from('spooled-payload-canary-93be0c');

function payload(attachment: Buffer): Buffer {
  return Buffer.from(
    [
      'Content-Type: multipart/mixed; boundary="p"; protected-headers="v1"',
      'Subject: Spooled survey',
      'From: alice@sealpost.test',
      '',
      '--p',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The survey is attached.',
      '--p',
      'Content-Type: application/octet-stream; name="survey.bin"',
      'Content-Disposition: attachment; filename="survey.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      attachment.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--p',
      'Content-Type: text/plain; name="small.txt"',
      'Content-Disposition: attachment',
      '',
      'a small attachment',
      '--p--',
      '',
    ].join('\r\n'),
  );
}

async function* chunks(bytes: Buffer, size = 300_000): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size)
    yield bytes.subarray(offset, offset + size);
}

function filesUnder(folder: string): string[] {
  try {
    return readdirSync(folder).map((name) => path.join(folder, name));
  } catch {
    return [];
  }
}

describe('readSpooledPayload', () => {
  let root: string;
  let messages: MessageFiles;
  let attachments: MessageFiles;
  let alice: GeneratedIdentity;
  let bob: GeneratedIdentity;
  const attachment = randomBytes(6 * MIB);
  CANARY.copy(attachment, 3 * MIB);

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'sealpost-spooled-payload-'));
    messages = new MessageFiles(path.join(root, 'messages'));
    attachments = new MessageFiles(path.join(root, 'attachments'));
    alice = await generateIdentity({ address: 'alice@sealpost.test', passphrase: 'a' });
    bob = await generateIdentity({ address: 'bob@sealpost.test', passphrase: 'b' });
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function encryptedFile(data: Buffer) {
    const armored = await encryptAndSign({
      data,
      recipientCertificates: [bob.certificate],
      signingKey: { secretKey: alice.secretKey, passphrase: 'a' },
    });
    return { armored, file: await messages.write(chunks(Buffer.from(armored))) };
  }

  const decryptOptions = () => ({
    decryptionKeys: [{ secretKey: bob.secretKey, passphrase: 'b' }],
    verificationCertificates: [alice.certificate],
    expectedSignerAddress: 'alice@sealpost.test',
  });

  it('stores the large attachment encrypted', async () => {
    const { file } = await encryptedFile(payload(attachment));
    // A file left over from an earlier read that died, old enough to be an orphan.
    const stale = path.join(root, 'attachments', `${'0'.repeat(32)}.msg`);
    mkdirSync(path.dirname(stale), { recursive: true });
    writeFileSync(stale, 'left over');
    const old = new Date(Date.now() - ORPHAN_AGE_MS - 60_000);
    utimesSync(stale, old, old);

    const decryption = await openArmoredStream(
      { ...decryptOptions(), message: messages.read(file) },
      (spool) => readSpooledPayload(spool, attachments),
    );
    expect(decryption.signatures.map((signature) => signature.status)).toEqual(['valid']);
    const entity = decryption.content.entity!;
    expect(decryption.content.data).toBeNull();
    expect(entity.protectedHeaders?.subject).toBe('Spooled survey');
    expect(entity.text).toBe('The survey is attached.');
    expect(entity.attachments.map((part) => [part.filename, part.size])).toEqual([
      ['survey.bin', attachment.length],
      ['small.txt', 'a small attachment'.length],
    ]);
    const [survey, small] = entity.attachments;
    expect(survey!.content).toBeNull();
    expect(small!.stored).toBeNull();
    expect(Buffer.from(small!.content!).toString()).toBe('a small attachment');

    const onDisk = filesUnder(path.join(root, 'attachments'));
    expect(onDisk).toEqual([path.join(root, 'attachments', survey!.stored!.file.name)]);
    expect(readFileSync(onDisk[0]!).includes(CANARY)).toBe(false);
    const parts: Buffer[] = [];
    for await (const part of attachmentChunks(survey!)) parts.push(Buffer.from(part));
    expect(Buffer.concat(parts).equals(attachment)).toBe(true);

    // The app's mail:attachment reads a stored attachment into memory only up to a limit.
    const named = { ...survey!, filename: 'survey.bin' };
    expect(Buffer.from(await attachmentBytes(named, 8 * MIB)).equals(attachment)).toBe(true);
    await expect(attachmentBytes(named, MIB)).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
      message: expect.stringContaining('sealpost read ID --save-attachments FOLDER'),
    });

    releaseAttachments(entity.attachments);
    expect(filesUnder(path.join(root, 'attachments'))).toEqual([]);
    expect(survey!.stored!.file.key.equals(Buffer.alloc(32))).toBe(true);
  }, 120_000);

  it('tampered ciphertext writes nothing', async () => {
    const { armored } = await encryptedFile(payload(attachment));
    let position = Math.floor(armored.length * 0.6);
    while (!/[A-Za-z0-9]/.test(armored[position]!)) position += 1;
    const tampered =
      armored.slice(0, position) +
      (armored[position] === 'A' ? 'B' : 'A') +
      armored.slice(position + 1);
    const file = await messages.write(chunks(Buffer.from(tampered)));
    let consumed = false;

    const failure = openArmoredStream(
      { ...decryptOptions(), message: messages.read(file) },
      (spool) => {
        consumed = true;
        return readSpooledPayload(spool, attachments);
      },
    );
    await expect(failure).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(consumed).toBe(false);
    expect(filesUnder(path.join(root, 'attachments'))).toEqual([]);
  }, 120_000);

  it('returns a signed payload whole', async () => {
    const signedPayload = Buffer.from(
      [
        'Content-Type: multipart/mixed; boundary="o"',
        '',
        '--o',
        'Content-Type: application/octet-stream',
        'Content-Transfer-Encoding: base64',
        '',
        attachment
          .subarray(0, 2 * MIB)
          .toString('base64')
          .replace(/.{76}/g, '$&\r\n'),
        '--o',
        'Content-Type: multipart/signed; boundary="s"; protocol="application/pgp-signature"',
        '',
        '--s',
        'Content-Type: text/plain',
        '',
        'signed part',
        '--s',
        'Content-Type: application/pgp-signature',
        '',
        '-----BEGIN PGP SIGNATURE-----',
        '',
        'iQ==',
        '-----END PGP SIGNATURE-----',
        '--s--',
        '--o--',
        '',
      ].join('\r\n'),
    );
    const { file } = await encryptedFile(signedPayload);
    const decryption = await openArmoredStream(
      { ...decryptOptions(), message: messages.read(file) },
      (spool) => readSpooledPayload(spool, attachments),
    );
    expect(decryption.content.entity).toBeNull();
    expect(Buffer.from(decryption.content.data!).equals(signedPayload)).toBe(true);
    expect(parseEntity(decryption.content.data!).nestedSigned).toHaveLength(1);
    expect(filesUnder(path.join(root, 'attachments'))).toEqual([]);
  }, 120_000);
});
