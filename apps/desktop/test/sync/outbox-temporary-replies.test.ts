// Fault test of the outbox for temporary SMTP replies: a proxy in front of the real Postfix
// rejects RCPT with 450 and then the message body with 452. Both keep the message queued with a
// retry time (RFC 5321 section 4.2.1: only a 5yz reply is final), and after recovery it is
// delivered once.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSession } from '@sealpost/mail-transport';
import { createSilentLogger } from '../../src/core/logger.ts';
import { ensureDataPaths, resolveDataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';
import {
  IMAP_STARTTLS_PORT,
  imapOptionsFor,
  stackCertificate,
  stackCertificateFile,
  stackPassword,
  uniqueAddress,
} from '../e2e/stack.ts';
import { SmtpReplyProxy } from './smtp-reply-proxy.ts';

const SMTP_SUBMISSIONS_PORT = 1465;

async function countInInbox(address: string, messageId: string): Promise<number> {
  const session = await ImapSession.connect(imapOptionsFor(address));
  try {
    return (await session.searchMessageId('INBOX', messageId)).length;
  } finally {
    await session.close();
  }
}

describe('outbox under temporary SMTP replies', () => {
  const sender = uniqueAddress('deferred-from');
  const recipient = uniqueAddress('deferred-to');
  let home: string;
  let sealpost: Sealpost;
  let proxy: SmtpReplyProxy;

  beforeAll(async () => {
    proxy = await SmtpReplyProxy.start(
      SMTP_SUBMISSIONS_PORT,
      path.join(path.dirname(stackCertificateFile), 'key.pem'),
      stackCertificateFile,
    );
    home = mkdtempSync(path.join(os.tmpdir(), 'sealpost-deferred-'));
    const paths = resolveDataPaths({ SEALPOST_HOME: home });
    ensureDataPaths(paths);
    sealpost = await Sealpost.open(paths, createSilentLogger(), { passphrase: 'deferred test' });
    const server = { host: '127.0.0.1', user: sender };
    await sealpost.accounts.add({
      email: sender,
      displayName: null,
      imap: { ...server, port: IMAP_STARTTLS_PORT, security: 'starttls' },
      smtp: { ...server, port: proxy.port, security: 'tls' },
      password: stackPassword(sender),
      pinnedCertificate: stackCertificate(),
    });
    await sealpost.keys.generate({ address: sender, name: null });
  });

  afterAll(async () => {
    sealpost?.close();
    await proxy?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('retries after 450 and 452, sends once', async () => {
    proxy.faults.rcpt = 1;
    const attempt = sealpost.mail.send({
      from: null,
      to: [recipient],
      cc: [],
      bcc: [],
      subject: 'Deferred by the server',
      text: 'The server is busy at first.',
      attachments: [],
      allowPlaintext: true,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'SMTP_TEMPORARY_FAILURE' });
    await expect(attempt).rejects.toThrow(/sent again at the next sync/);

    const [afterRcpt] = sealpost.mail.listOutbox();
    expect(afterRcpt!.state).toBe('queued');
    expect(afterRcpt!.lastError).toMatch(/^SMTP_TEMPORARY_FAILURE: .*450 4\.2\.0/);
    expect(afterRcpt!.nextAttemptAt).not.toBeNull();

    proxy.faults.data = 1;
    await sealpost.mail.sync({ account: null });
    const [afterData] = sealpost.mail.listOutbox();
    expect(afterData!.state).toBe('queued');
    expect(afterData!.attempts).toBe(2);
    expect(afterData!.lastError).toMatch(/^SMTP_TEMPORARY_FAILURE: .*452 4\.3\.1/);
    expect(proxy.forwardedMessages).toBe(0);

    const report = await sealpost.mail.sync({ account: null });
    expect(report.accounts[0]!.sentFromOutbox).toBe(1);
    expect(sealpost.mail.listOutbox()).toHaveLength(0);
    expect(proxy.forwardedMessages).toBe(1);

    await sealpost.mail.sync({ account: null });
    const sent = sealpost.mail.list({ account: null, folder: 'Sent' });
    expect(sent).toHaveLength(1);
    await expect
      .poll(() => countInInbox(recipient, sent[0]!.messageId!), { timeout: 20_000 })
      .toBe(1);
  });
});
