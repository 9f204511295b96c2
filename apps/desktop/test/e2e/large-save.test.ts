// End to end through the real Dovecot and Postfix: alice sends bob a 24 MiB attachment, bob's
// sync keeps the message in an encrypted message file, and `sealpost read --save-attachments`
// saves it byte-identical. The read parses the payload as a stream from the spool, so its peak
// memory stays far below what the in-memory read took (144 to 165 MiB at this size). A
// tampered ciphertext and a changed message file both fail with DECRYPT_FAILED, and neither
// saves anything or changes the stored message.

import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSealpost } from '../cli/cli-runner.ts';
import { runLargeReceiveChild as runChild, sendSurvey, storeOf, withStore } from './large-mail.ts';
import {
  createUser,
  deliverRaw,
  fetchRawFromServer,
  swapCertificates,
  syncAndFind,
  type TestUser,
} from './stack.ts';

const MIB = 1024 * 1024;
const ATTACHMENT_MIB = 24;

describe('large attachment save', () => {
  let alice: TestUser;
  let bob: TestUser;
  let work: string;
  let passphraseFile: string;
  let messageId: string;
  let id: number;
  const attachment = randomBytes(ATTACHMENT_MIB * MIB);
  const sha256 = createHash('sha256').update(attachment).digest('hex');

  beforeAll(async () => {
    alice = await createUser('alice');
    bob = await createUser('bob', { keystore: 'passphrase' });
    await swapCertificates(alice, bob);
    work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-large-save-'));
    passphraseFile = path.join(work, 'passphrase');
    writeFileSync(passphraseFile, `${bob.passphrase}\n`);
    const attachmentFile = path.join(work, 'survey.bin');
    writeFileSync(attachmentFile, attachment);

    const sent = await sendSurvey(alice, bob, 'Large survey', attachmentFile, attachment.length);
    expect(sent.mode).toBe('openpgp');
    messageId = sent.messageId;
    // Postfix may still be delivering the 44 MB message when other suites load the machine.
    for (let attempt = 1; ; attempt += 1) {
      const found = await syncAndFind(bob, messageId).catch((error: unknown) => {
        if (attempt >= 30) throw error;
        return null;
      });
      if (found !== null) {
        id = found;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(storeOf(bob.sealpost).messageFiles.get(id)).not.toBeNull();
    // The CLI and the child open bob's data folder; this process reopens it between them.
    bob.sealpost.close();
  }, 300_000);

  afterAll(() => {
    alice?.close();
    bob?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const secret = () => ['--passphrase-file', passphraseFile];
  const attachmentFolder = () => path.join(bob.home, 'attachments');
  const attachmentFiles = () => {
    try {
      return readdirSync(attachmentFolder());
    } catch {
      return [];
    }
  };

  /** Runs `sealpost read` on message `row` with --save-attachments into a new folder `name`. */
  async function saveAttachments(row: number, name: string) {
    const saved = path.join(work, name);
    mkdirSync(saved);
    const read = await runSealpost(bob.home, [
      'read',
      String(row),
      '--save-attachments',
      saved,
      ...secret(),
    ]);
    return { saved, read };
  }

  it('saves the attachment byte-identical', async () => {
    const { saved, read } = await saveAttachments(id, 'saved');
    expect(read.stderr).toBe('');
    expect(read.status).toBe(0);
    expect(read.stdout).toContain('Signature:  valid');
    expect(readdirSync(saved)).toEqual(['survey.bin']);
    expect(readFileSync(path.join(saved, 'survey.bin')).equals(attachment)).toBe(true);
    // The encrypted temporary file of the attachment is gone once it is saved.
    expect(attachmentFiles()).toEqual([]);
  }, 240_000);

  it('prints the same JSON fields', async () => {
    const read = await runSealpost(bob.home, ['read', String(id), '--json', ...secret()]);
    expect(read.status).toBe(0);
    const json = JSON.parse(read.stdout) as { attachments: Array<Record<string, unknown>> };
    expect(json.attachments).toEqual([
      { filename: 'survey.bin', contentType: 'application/octet-stream', size: attachment.length },
    ]);
    expect(attachmentFiles()).toEqual([]);
  }, 240_000);

  it('reads with bounded memory', async () => {
    const run = await runChild({
      home: bob.home,
      passphrase: bob.passphrase,
      action: 'read',
      messageId,
    });
    expect(run.stderr).toBe('');
    const read = run.result!.read!;
    expect(read.signatureSummary).toBe('verified');
    expect(read.attachments).toEqual([{ filename: 'survey.bin', size: attachment.length, sha256 }]);
    const growthMiB = run.result!.peakMiB - run.result!.rssBeforeMiB;
    // Buffered, this read grew by 144 to 165 MiB (BENCHMARKS.md, "Large attachments").
    expect(growthMiB, `read grew ${growthMiB} MiB`).toBeLessThan(100);
    expect(attachmentFiles()).toEqual([]);
  }, 240_000);

  it('tampered ciphertext saves nothing', async () => {
    const raw = (await fetchRawFromServer(bob, messageId)).toString('latin1');
    const tamperedId = `large-save-tampered-${Date.now()}@sealpost.test`;
    // One base64 character deep inside the armored SEIPD packet, swapped for another valid one.
    let position = Math.floor(raw.length * 0.6);
    while (!/[A-Za-z0-9]/.test(raw[position]!)) position += 1;
    const replacement = raw[position] === 'A' ? 'B' : 'A';
    const tampered = (raw.slice(0, position) + replacement + raw.slice(position + 1)).replace(
      /^Message-ID: .*$/im,
      `Message-ID: <${tamperedId}>\r`,
    );
    await deliverRaw(bob, Buffer.from(tampered, 'latin1'));
    const tamperedRow = await withStore(bob, async (sealpost) => {
      await sealpost.mail.sync({ account: null });
      const found = sealpost.mail
        .list({ account: null, folder: 'INBOX' })
        .find((message) => message.messageId === `<${tamperedId}>`);
      expect(storeOf(sealpost).messageFiles.get(found!.id)).not.toBeNull();
      return found!.id;
    });

    const { saved, read } = await saveAttachments(tamperedRow, 'tampered');
    expect(read.status).not.toBe(0);
    expect(read.stderr).toContain('DECRYPT_FAILED');
    expect(read.stdout).toBe('');
    expect(readdirSync(saved)).toEqual([]);
    expect(attachmentFiles()).toEqual([]);
  }, 240_000);

  it('changed message file saves nothing', async () => {
    const { name, header } = await withStore(bob, (sealpost) => ({
      name: storeOf(sealpost).messageFiles.get(id)!.name,
      header: Buffer.from(storeOf(sealpost).messages.getRaw(id)),
    }));
    const file = path.join(bob.home, 'messages', name);
    const backup = path.join(work, 'message-file.backup');
    copyFileSync(file, backup);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(file, bytes);

    const { saved, read } = await saveAttachments(id, 'changed');
    expect(read.status).not.toBe(0);
    // decryptToSpool reports a failed read of its source as DECRYPT_FAILED, with the cause.
    expect(read.stderr).toContain('DECRYPT_FAILED');
    expect(read.stderr).toContain(`The message file ${name} failed its integrity check`);
    expect(readdirSync(saved)).toEqual([]);
    expect(attachmentFiles()).toEqual([]);

    // The stored message is unchanged, so the original file reads again once it is back.
    await withStore(bob, (sealpost) => {
      expect(storeOf(sealpost).messageFiles.get(id)!.name).toBe(name);
      expect(Buffer.from(storeOf(sealpost).messages.getRaw(id)).equals(header)).toBe(true);
    });
    copyFileSync(backup, file);
    const again = await runSealpost(bob.home, ['read', String(id), ...secret()]);
    expect(again.status).toBe(0);
  }, 240_000);
});
