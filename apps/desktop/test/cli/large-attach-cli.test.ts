// `sealpost send --attach` with a file above the streaming threshold, as a script runs it. The
// message is streamed into an outbox file and sent through the real Postfix, and the outbox
// folder is empty afterwards. The recipient's `read --save-attachments` writes the same bytes.

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMED_SEND_MIN_BYTES } from '../../src/core/attachment-files.ts';
import { addCliUser, runSealpost as sealpost, shareCliCertificate } from './cli-runner.ts';
import { uniqueAddress } from '../e2e/stack.ts';

describe('send --attach large file', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-cli-large-'));
  const alice = { address: uniqueAddress('alice'), home: path.join(work, 'alice') };
  const bob = { address: uniqueAddress('bob'), home: path.join(work, 'bob') };
  const passphraseFile = path.join(work, 'passphrase');
  const attachment = randomBytes(STREAMED_SEND_MIN_BYTES + 3 * 1024 * 1024 + 1);
  const attachmentFile = path.join(work, 'scan.bin');

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'cli test passphrase\n');
    writeFileSync(attachmentFile, attachment);
    await addCliUser(alice, work, ['--passphrase-file', passphraseFile]);
    await addCliUser(bob, work, ['--passphrase-file', passphraseFile]);
    await shareCliCertificate(bob, alice, work, ['--passphrase-file', passphraseFile]);
  }, 240_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('arrives byte-identical', { timeout: 240_000 }, async () => {
    const secret = ['--passphrase-file', passphraseFile];
    const sent = await sealpost(
      alice.home,
      ['send', '--to', bob.address, '--subject', 'Scan', '--attach', attachmentFile, ...secret],
      'The scan is attached.\n',
    );
    expect(sent.stderr).toBe('');
    expect(sent.status).toBe(0);
    expect(sent.stdout).toMatch(/Mode: encrypted \(OpenPGP/);
    expect(readdirSync(path.join(alice.home, 'outbox'))).toEqual([]);

    expect((await sealpost(bob.home, ['sync', ...secret])).status).toBe(0);
    const listed = JSON.parse(
      (await sealpost(bob.home, ['list', '--json', ...secret])).stdout,
    ) as Array<{
      id: number;
    }>;
    expect(listed).toHaveLength(1);
    const saved = path.join(work, 'saved');
    mkdirSync(saved);
    const read = await sealpost(bob.home, [
      'read',
      String(listed[0]!.id),
      '--save-attachments',
      saved,
      ...secret,
    ]);
    expect(read.status).toBe(0);
    expect(readFileSync(path.join(saved, 'scan.bin')).equals(attachment)).toBe(true);
  });
});
