// Fault test of the outbox against the real Postfix: a proxy on 127.0.0.1 refuses the SMTP
// connection, then cuts it in the middle of DATA. The message stays in the outbox with the
// reason and a retry time, and after recovery it is delivered once and stored in Sent once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countByMessageId, uniqueAddress } from '../e2e/stack.ts';
import { CuttingProxy } from './cutting-proxy.ts';
import { openSyncUser, type SyncUser } from './sync-fixtures.ts';

describe('outbox under SMTP faults', () => {
  const recipient = uniqueAddress('outbox-to');
  let sender: SyncUser;
  let proxy: CuttingProxy;

  beforeAll(async () => {
    proxy = await CuttingProxy.start(1587, 5);
    sender = await openSyncUser(uniqueAddress('outbox-from'), { smtp: proxy.port });
    await sender.sealpost.keys.generate({ address: sender.address, name: null });
  });

  afterAll(async () => {
    sender?.close();
    await proxy?.close();
  });

  it('keeps the message through faults and sends it once', async () => {
    const text = 'x'.repeat(200_000);
    proxy.mode = { kind: 'refuse' };
    const attempt = sender.sealpost.mail.send({
      from: null,
      to: [recipient],
      cc: [],
      bcc: [],
      subject: 'Outbox fault test',
      text,
      attachments: [],
      allowPlaintext: true,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'SMTP_CONNECTION_FAILED' });

    const [queued] = sender.sealpost.mail.listOutbox();
    expect(queued!.state).toBe('queued');
    expect(queued!.lastError).toMatch(/SMTP_CONNECTION_FAILED/);
    expect(queued!.nextAttemptAt).not.toBeNull();

    // The connection drops after the client sent part of the 200 kB message body.
    proxy.mode = { kind: 'cut-upstream', afterBytes: 100_000 };
    await sender.sealpost.mail.sync({ account: null });
    expect(sender.sealpost.mail.listOutbox()).toHaveLength(1);
    expect(sender.sealpost.mail.listOutbox()[0]!.attempts).toBe(2);

    proxy.mode = { kind: 'pass' };
    const report = await sender.sealpost.mail.sync({ account: null });
    expect(report.accounts[0]!.sentFromOutbox).toBe(1);
    expect(sender.sealpost.mail.listOutbox()).toHaveLength(0);
    await sender.sealpost.mail.sync({ account: null });

    const sent = sender.sealpost.mail.list({ account: null, folder: 'Sent' });
    expect(sent).toHaveLength(1);
    const messageId = sent[0]!.messageId!;
    await expect
      .poll(() => countByMessageId(recipient, 'INBOX', messageId), { timeout: 20_000 })
      .toBe(1);
    expect(await countByMessageId(sender.address, 'Sent', messageId)).toBe(1);
  });

  it('stores one Sent copy for a message sent at once', async () => {
    proxy.mode = { kind: 'pass' };
    const result = await sender.sealpost.mail.send({
      from: null,
      to: [recipient],
      cc: [],
      bcc: [],
      subject: 'Sent once',
      text: 'Hello.',
      attachments: [],
      allowPlaintext: true,
    });
    expect(result.savedToSent).toBe(true);
    expect(await countByMessageId(sender.address, 'Sent', result.messageId)).toBe(1);
  });
});
