// End to end through the real Dovecot and Postfix with a message above the streaming
// threshold. Alice sends bob a 7 MiB attachment, whose armored PGP/MIME part exceeds
// STREAMING_DECRYPT_MIN_BYTES, so bob's read goes through decryptToSpool and its encrypted
// spool file. The attachment must arrive byte-identical with a verified signature, and a
// copy with one changed ciphertext character must fail with DECRYPT_FAILED and leave no spool.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMING_DECRYPT_MIN_BYTES } from '../../src/core/large-decrypt.ts';
import { attachmentBytes } from '../../src/core/read-attachments.ts';
import {
  createCorrespondents,
  deliverRaw,
  fetchRawFromServer,
  sendEncrypted,
  syncAndFind,
} from './stack.ts';
import type { TestUser } from './stack.ts';

const ATTACHMENT = randomBytes(7 * 1024 * 1024);

describe('large encrypted message', () => {
  let alice: TestUser;
  let bob: TestUser;
  let messageId: string;
  let temporaryFolder: string;
  const savedTemporaryFolder = process.env['TMPDIR'];

  beforeAll(async () => {
    ({ alice, bob } = await createCorrespondents());
    const sent = await sendEncrypted(alice, [bob], {
      subject: 'Site survey, full resolution',
      text: 'The survey scan is attached.\n',
      attachments: [
        { filename: 'survey.bin', contentType: 'application/octet-stream', content: ATTACHMENT },
      ],
    });
    expect(sent.mode).toBe('openpgp');
    messageId = sent.messageId;
    // The spool goes to os.tmpdir(), which follows TMPDIR, so the test can watch for it.
    temporaryFolder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-large-read-'));
  }, 120_000);

  function restoreTemporaryFolder(): void {
    if (savedTemporaryFolder === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = savedTemporaryFolder;
  }

  afterAll(() => {
    restoreTemporaryFolder();
    alice?.close();
    bob?.close();
    if (temporaryFolder) rmSync(temporaryFolder, { recursive: true, force: true });
  });

  it('server copy exceeds streaming threshold', async () => {
    const raw = await fetchRawFromServer(bob, messageId);
    expect(raw.length).toBeGreaterThan(STREAMING_DECRYPT_MIN_BYTES);
    expect(raw.includes(ATTACHMENT.subarray(0, 64))).toBe(false);
  }, 60_000);

  /** Reads message `id` as bob with TMPDIR set to the watched folder, which it restores. */
  async function readWatched(id: number): Promise<{
    created: string[];
    result: Awaited<ReturnType<TestUser['sealpost']['mail']['read']>> | null;
    error: unknown;
  }> {
    const created: string[] = [];
    process.env['TMPDIR'] = temporaryFolder;
    const watcher = watch(temporaryFolder, (_event, name) => {
      if (name) created.push(name);
    });
    try {
      return { created, result: await bob.sealpost.mail.read(id), error: null };
    } catch (error) {
      return { created, result: null, error };
    } finally {
      watcher.close();
      restoreTemporaryFolder();
    }
  }

  it('attachment arrives byte-identical via spool', async () => {
    const id = await syncAndFind(bob, messageId);
    const { created, result: message, error } = await readWatched(id);

    expect(error).toBeNull();
    expect(created.some((name) => name.startsWith('sealpost-spool-'))).toBe(true);
    expect(readdirSync(temporaryFolder)).toEqual([]);
    expect(message!.encryption.status).toBe('encrypted');
    expect(message!.signatureSummary).toBe('verified');
    expect(message!.attachments).toHaveLength(1);
    expect(message!.attachments[0]!.filename).toBe('survey.bin');
    expect(message!.attachments[0]!.size).toBe(ATTACHMENT.length);
    const bytes = await attachmentBytes(message!.attachments[0]!, Infinity);
    expect(Buffer.from(bytes).equals(ATTACHMENT)).toBe(true);
  }, 120_000);

  it('changed ciphertext fails closed', async () => {
    const original = (await fetchRawFromServer(bob, messageId)).toString('latin1');
    const tamperedId = `large-tampered-${Date.now()}@sealpost.test`;
    // One base64 character deep inside the armored SEIPD packet, swapped for another valid one.
    let position = Math.floor(original.length * 0.6);
    while (!/[A-Za-z0-9]/.test(original[position]!)) position += 1;
    const replacement = original[position] === 'A' ? 'B' : 'A';
    const tampered = (
      original.slice(0, position) +
      replacement +
      original.slice(position + 1)
    ).replace(/^Message-ID: .*$/im, `Message-ID: <${tamperedId}>\r`);
    await deliverRaw(bob, Buffer.from(tampered, 'latin1'));

    const id = await syncAndFind(bob, `<${tamperedId}>`);
    const { created, result, error } = await readWatched(id);

    expect(result).toBeNull();
    expect(error).toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(created.some((name) => name.startsWith('sealpost-spool-'))).toBe(true);
    expect(readdirSync(temporaryFolder)).toEqual([]);
  }, 120_000);
});
