// A message whose attachment is streamed from its file into an outbox file, sent through the
// real Postfix and Dovecot. The To and Bcc recipients get the attachment byte-identical, Sent
// contains one copy, and the outbox and its folder are empty afterwards. A sender killed with
// SIGKILL while the message file goes over SMTP or is appended to Sent leaves the entry in
// the outbox, and the next sync sends it once. The peak memory of a send runs in a child process.

import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMED_SEND_MIN_BYTES } from '../../src/core/attachment-files.ts';
import { STALE_SENDING_MS } from '../../src/core/outbox.ts';
import { attachmentBytes } from '../../src/core/read-attachments.ts';
import { useMailProxies } from '../sync/cutting-proxy.ts';
import { createSyncHome, type SyncHome } from '../sync/sync-fixtures.ts';
import {
  countByMessageId,
  createTrio,
  repositoryRoot,
  syncAndFind,
  uniqueAddress,
  type TestUser,
} from './stack.ts';

const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-streamed-send-'));
const ATTACHMENT = randomBytes(STREAMED_SEND_MIN_BYTES + 1024 * 1024 + 17);
const attachmentFile = path.join(folder, 'survey.bin');
writeFileSync(attachmentFile, ATTACHMENT);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function outboxFolderEntries(home: string): string[] {
  try {
    return readdirSync(path.join(home, 'outbox'));
  } catch {
    return [];
  }
}

describe('streamed send', () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    ({ alice, bob, carol } = await createTrio([
      ['alice', 'bob'],
      ['alice', 'carol'],
    ]));
  }, 120_000);

  afterAll(() => {
    alice?.close();
    bob?.close();
    carol?.close();
  });

  it('delivers attachment byte-identical to To and Bcc', async () => {
    const sent = await alice.sealpost.mail.send({
      from: null,
      to: [bob.address],
      cc: [],
      bcc: [carol.address],
      subject: 'Survey scan',
      text: 'The scan is attached.\n',
      attachments: [],
      attachmentFiles: [
        {
          filename: 'survey.bin',
          contentType: 'application/octet-stream',
          path: attachmentFile,
          size: ATTACHMENT.length,
        },
      ],
      allowPlaintext: false,
      openpgp: true,
    });
    expect(sent.mode).toBe('openpgp');
    expect(sent.savedToSent).toBe(true);
    expect(sent.rejectedRecipients).toEqual([]);

    for (const user of [bob, carol]) {
      const message = await user.sealpost.mail.read(await syncAndFind(user, sent.messageId));
      expect(message.encryption.status).toBe('encrypted');
      expect(message.signatureSummary).toBe('verified');
      expect(message.subject).toBe('Survey scan');
      const survey = message.attachments.find((part) => part.filename === 'survey.bin');
      expect(survey?.size).toBe(ATTACHMENT.length);
      expect(Buffer.from(await attachmentBytes(survey!, Infinity)).equals(ATTACHMENT)).toBe(true);
    }

    expect(await countByMessageId(alice.address, 'Sent', sent.messageId)).toBe(1);
    expect(alice.sealpost.mail.listOutbox()).toEqual([]);
    expect(outboxFolderEntries(alice.home)).toEqual([]);
  }, 240_000);
});

/** Spawns streamed-send-child.ts; `onStart` receives a function that kills it at once. */
function runSendChild(
  home: SyncHome,
  to: string,
  subject: string,
  onStart: (kill: () => void) => void,
): Promise<{ killed: boolean; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'streamed-send-child.ts'),
      JSON.stringify({ home: home.home, passphrase: home.passphrase, to, subject, attachmentFile }),
    ],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  onStart(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ killed: signal === 'SIGKILL', stdout, stderr }));
  });
}

describe('streamed send killed with SIGKILL', () => {
  const proxies = useMailProxies();

  // The armored message is about 1.8 times the attachment; both kill points are inside it.
  const cases = [
    { phase: 'smtp', afterBytes: 4_000_000 },
    { phase: 'imap', afterBytes: 3_000_000 },
  ] as const;

  for (const { phase, afterBytes } of cases) {
    it(`sends once after a kill in ${phase}`, { timeout: 240_000 }, async () => {
      const home = await createSyncHome(
        uniqueAddress(`stream-kill-${phase}`),
        { smtp: proxies.smtp.port, imap: proxies.imap.port },
        { generateKey: true },
      );
      try {
        let kill: () => void = () => {};
        const armed = proxies[phase];
        armed.mode = { kind: 'trip-upstream', afterBytes, onCross: () => kill() };
        // To the sender's own address, whose key is known, so the mode is OpenPGP.
        const run = await runSendChild(home, home.address, `Kill ${phase}`, (killChild) => {
          kill = killChild;
        });
        proxies.smtp.mode = { kind: 'pass' };
        proxies.imap.mode = { kind: 'pass' };
        expect(run.killed).toBe(true);
        expect(outboxFolderEntries(home.home)).toHaveLength(1);

        // The killed process left its entry in 'sending'; it is abandoned once its heartbeat is stale.
        await new Promise((resolve) => setTimeout(resolve, STALE_SENDING_MS + 1_000));
        const sealpost = await home.open();
        let messageId: string;
        try {
          await sealpost.mail.sync({ account: null });
          expect(sealpost.mail.listOutbox()).toEqual([]);
          const sent = sealpost.mail.list({ account: null, folder: 'Sent' });
          expect(sent).toHaveLength(1);
          messageId = sent[0]!.messageId!;
        } finally {
          sealpost.close();
        }
        expect(outboxFolderEntries(home.home)).toEqual([]);
        await expect
          .poll(() => countByMessageId(home.address, 'INBOX', messageId), { timeout: 30_000 })
          .toBe(1);
        expect(await countByMessageId(home.address, 'Sent', messageId)).toBe(1);
      } finally {
        proxies.smtp.mode = { kind: 'pass' };
        proxies.imap.mode = { kind: 'pass' };
        home.remove();
      }
    });
  }
});

describe('streamed send memory', () => {
  it('peak growth stays under 100 MiB', { timeout: 300_000 }, () => {
    const runner = path.join(repositoryRoot, 'bench', 'large-message-run.ts');
    const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-streamed-memory-'));
    const run = (phase: string) =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', runner, phase, work, '24'], {
          cwd: repositoryRoot,
          encoding: 'utf8',
        })
          .trim()
          .split('\n')
          .at(-1)!,
      ) as Record<string, number | boolean>;
    try {
      run('setup');
      const send = run('send');
      expect(send['mode']).toBe('openpgp');
      expect(send['savedToSent']).toBe(true);
      // The small message before it unlocks the key. What the 24 MiB message adds on top stays
      // under 100 MiB; the buffered path added about 450 MiB for it.
      const added = (send['peakMiB'] as number) - (send['smallPeakMiB'] as number);
      expect(added).toBeLessThan(100);
      const receive = run('receive');
      expect(receive['identical']).toBe(true);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
