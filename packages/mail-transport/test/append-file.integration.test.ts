// appendFile against the local Dovecot: a message file appended over STARTTLS and over implicit
// TLS arrives byte-identical with its flags, a wrong password raises IMAP_AUTH_FAILED, a missing
// folder IMAP_COMMAND_FAILED, and a file shorter than its announced size is never appended.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { appendFile, ImapSession, type ImapConnectOptions } from '../src/index.ts';

const skip = process.env.SEALPOST_SKIP_MAIL_STACK === '1';
const CERTIFICATE_FILE = fileURLToPath(
  new URL('../../../.mail-stack/tls/cert.pem', import.meta.url),
);
const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-append-file-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A stack user of its own, so runs never share a mailbox. */
const login = `t-append-${process.pid.toString(36)}${Date.now().toString(36)}`;

function server(overrides: Partial<ImapConnectOptions> = {}): ImapConnectOptions {
  return {
    host: '127.0.0.1',
    port: 1143,
    security: 'starttls',
    user: `${login}@sealpost.test`,
    password: `sealpost-${login}`,
    pinnedCertificate: readFileSync(CERTIFICATE_FILE, 'utf8'),
    ...overrides,
  };
}

/** Writes a message of about `bodyBytes` and returns its path, bytes and Message-ID. */
function messageFile(bodyBytes: number) {
  const messageId = `<append-${randomBytes(8).toString('hex')}@sealpost.test>`;
  const body = randomBytes(bodyBytes).toString('base64').replace(/.{76}/g, '$&\r\n');
  const raw = Buffer.from(
    `From: a@sealpost.test\r\nTo: b@sealpost.test\r\nSubject: file\r\nMessage-ID: ${messageId}\r\n\r\n${body}\r\n`,
  );
  const file = path.join(folder, `${messageId.slice(1, 20)}.eml`);
  writeFileSync(file, raw);
  return { file, raw, messageId };
}

async function fetchByMessageId(messageId: string) {
  const session = await ImapSession.connect(server());
  try {
    const { messages } = await session.fetchNew('INBOX', {});
    return messages.find((message) => Buffer.from(message.raw).includes(messageId));
  } finally {
    await session.close();
  }
}

describe.skipIf(skip)('appendFile', () => {
  for (const [security, port] of [
    ['starttls', 1143],
    ['tls', 1993],
  ] as const) {
    it(`appends byte-identical over ${security}`, async () => {
      const { file, raw, messageId } = messageFile(3 * 1024 * 1024 + 5);
      await appendFile(server({ security, port }), {
        path: 'INBOX',
        file,
        size: raw.length,
        flags: ['\\Seen'],
      });
      const stored = await fetchByMessageId(messageId);
      expect(stored).toBeDefined();
      expect(Buffer.from(stored!.raw).equals(raw)).toBe(true);
      expect(stored!.flags).toContain('\\Seen');
    }, 60_000);
  }

  it('rejects a wrong password', async () => {
    const { file, raw } = messageFile(100);
    const append = appendFile(server({ password: 'wrong-password' }), {
      path: 'INBOX',
      file,
      size: raw.length,
    });
    await expect(append).rejects.toMatchObject({ code: 'IMAP_AUTH_FAILED' });
  }, 60_000);

  it('rejects a missing folder', async () => {
    const { file, raw } = messageFile(100);
    const append = appendFile(server(), { path: 'No such folder', file, size: raw.length });
    await expect(append).rejects.toMatchObject({ code: 'IMAP_COMMAND_FAILED' });
    await expect(append).rejects.toThrow(/No such folder/);
  }, 60_000);

  it('cancels a file shorter than announced', async () => {
    const { file, raw, messageId } = messageFile(1000);
    const append = appendFile(server(), { path: 'INBOX', file, size: raw.length + 10 });
    await expect(append).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await fetchByMessageId(messageId)).toBeUndefined();
  }, 60_000);
});
