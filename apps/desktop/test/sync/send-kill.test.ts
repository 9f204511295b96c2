// Kill and stall tests of the outbox against the real Postfix and Dovecot. A child process
// sending a 200 kB message is killed with SIGKILL at a seeded point: in the SMTP session before
// the end of DATA, or while the Sent copy is appended over IMAP. After a restart the message
// reaches the recipient exactly once and Sent contains one copy. A kill after the server accepted
// DATA but before the reply was read can still cause a second copy; outbox.ts documents that
// limit, and these kill points stay before it. An SMTP server that accepts the connection and
// then stalls leaves the message in the outbox with a timeout error, and it is sent once later.

import { describe, expect, it } from 'vitest';
import { STALE_SENDING_MS } from '../../src/core/outbox.ts';
import { countByMessageId, uniqueAddress } from '../e2e/stack.ts';
import { CuttingProxy, mulberry32, useMailProxies } from './cutting-proxy.ts';
import { createSyncHome, runChild, type SyncHome } from './sync-fixtures.ts';

/** Body size: the SMTP kill points below stay inside DATA, before its final dot. */
const BODY_BYTES = 200_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Syncs until the outbox is empty and returns the Message-ID of the one message in Sent. */
async function recoverAndFindSent(home: SyncHome): Promise<string> {
  // The killed process left its entry in 'sending'; it counts as abandoned once its heartbeat is stale.
  await sleep(STALE_SENDING_MS + 1_000);
  const first = await runChild(home, { action: 'sync' });
  expect(first.stderr).toBe('');
  expect(first.result).toMatchObject({ outbox: 0 });
  const second = await runChild(home, { action: 'sync' });
  expect(second.result).toMatchObject({ outbox: 0 });

  const sealpost = await home.open();
  try {
    const sent = sealpost.mail.list({ account: null, folder: 'Sent' });
    expect(sent).toHaveLength(1);
    return sent[0]!.messageId!;
  } finally {
    sealpost.close();
  }
}

describe('send killed with SIGKILL', () => {
  const proxies = useMailProxies();

  const cases = [
    { seed: 1, phase: 'smtp' },
    { seed: 2, phase: 'smtp' },
    { seed: 3, phase: 'smtp' },
    { seed: 4, phase: 'imap' },
    { seed: 5, phase: 'imap' },
  ] as const;

  for (const { seed, phase } of cases) {
    it(`delivers once after a kill in ${phase} (seed ${seed})`, { timeout: 120_000 }, async () => {
      const recipient = uniqueAddress('kill-to');
      const home = await createSyncHome(
        uniqueAddress('kill-from'),
        { smtp: proxies.smtp.port, imap: proxies.imap.port },
        { generateKey: true },
      );
      try {
        const random = mulberry32(seed);
        // SMTP: anywhere from the greeting to 3/4 of the body. IMAP: anywhere up to the
        // middle of the APPEND of the Sent copy.
        const afterBytes = Math.floor(random() * (phase === 'smtp' ? 150_000 : 100_000));
        let kill: () => void = () => {};
        const armed = proxies[phase];
        armed.mode = { kind: 'trip-upstream', afterBytes, onCross: () => kill() };

        const run = await runChild(
          home,
          { action: 'send', to: recipient, subject: `Kill test ${seed}`, bodyBytes: BODY_BYTES },
          { onStart: (killChild) => (kill = killChild) },
        );
        proxies.smtp.mode = { kind: 'pass' };
        proxies.imap.mode = { kind: 'pass' };
        expect(run.killed).toBe(true);

        const messageId = await recoverAndFindSent(home);
        await expect
          .poll(() => countByMessageId(recipient, 'INBOX', messageId), { timeout: 20_000 })
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

describe('send to a stalling SMTP server', () => {
  it('times out, keeps the message and sends it once', { timeout: 120_000 }, async () => {
    const smtp = await CuttingProxy.start(1587, 1);
    const recipient = uniqueAddress('stall-to');
    const home = await createSyncHome(
      uniqueAddress('stall-from'),
      { smtp: smtp.port },
      { generateKey: true },
    );
    const sealpost = await home.open();
    try {
      smtp.mode = { kind: 'stall' };
      const attempt = sealpost.mail.send({
        from: null,
        to: [recipient],
        cc: [],
        bcc: [],
        subject: 'Stall test',
        text: 'Sent after the server recovered.',
        attachments: [],
        allowPlaintext: true,
      });
      await expect(attempt).rejects.toMatchObject({ code: 'SMTP_CONNECTION_FAILED' });
      await expect(attempt).rejects.toThrow(/ETIMEDOUT/);

      const [queued] = sealpost.mail.listOutbox();
      expect(sealpost.mail.listOutbox()).toHaveLength(1);
      expect(queued!.state).toBe('queued');
      expect(queued!.lastError).toMatch(/ETIMEDOUT/);

      smtp.mode = { kind: 'pass' };
      const report = await sealpost.mail.sync({ account: null });
      expect(report.accounts[0]!.sentFromOutbox).toBe(1);
      expect(sealpost.mail.listOutbox()).toHaveLength(0);
      await sealpost.mail.sync({ account: null });

      const sent = sealpost.mail.list({ account: null, folder: 'Sent' });
      expect(sent).toHaveLength(1);
      const messageId = sent[0]!.messageId!;
      await expect
        .poll(() => countByMessageId(recipient, 'INBOX', messageId), { timeout: 20_000 })
        .toBe(1);
      expect(await countByMessageId(home.address, 'Sent', messageId)).toBe(1);
    } finally {
      sealpost.close();
      home.remove();
      await smtp.close();
    }
  });
});
