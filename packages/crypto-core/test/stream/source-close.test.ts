// The streaming API closes the caller's source when it fails before reading it to the end, so
// a failed encryption or decryption of a file leaves no open file descriptor behind.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptToSpool, encryptAndSignStream } from '../../src/index.ts';
import { makeIdentity, type TestIdentity } from '../helpers/identities.ts';

let alice: TestIdentity;
let bob: TestIdentity;
let carol: TestIdentity;
let folder: string;

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([
    makeIdentity('alice@example.org'),
    makeIdentity('bob@example.org'),
    makeIdentity('carol@example.org'),
  ]);
  folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-source-close-'));
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

async function expectClosed(source: ReturnType<typeof createReadStream>): Promise<void> {
  expect(source.destroyed).toBe(true);
  if (!source.closed) await once(source, 'close');
}

describe('streaming source on failure', () => {
  it('encryption closes the file', async () => {
    const file = path.join(folder, 'plain.bin');
    writeFileSync(file, randomBytes(3 * 1024 * 1024));
    const source = createReadStream(file);
    await expect(
      encryptAndSignStream({
        data: source,
        output: {} as never,
        format: 'binary',
        recipientCertificates: [],
        signingKey: alice.unlocked,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expectClosed(source);
  });

  it('decryption without the key closes the file', async () => {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    await encryptAndSignStream({
      data: Readable.from([randomBytes(5 * 1024 * 1024)]),
      output,
      format: 'binary',
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
      encryptToSigner: false,
    });
    const file = path.join(folder, 'message.pgp');
    writeFileSync(file, Buffer.concat(chunks));

    const source = createReadStream(file);
    await expect(
      decryptToSpool({
        message: source,
        format: 'binary',
        decryptionKeys: [carol.unlocked],
        verificationCertificates: [alice.certificate],
        spoolDirectory: folder,
      }),
    ).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    await expectClosed(source);
    expect(source.bytesRead).toBeLessThan(5 * 1024 * 1024);
  });
});
