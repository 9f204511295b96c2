// Integration tests against the local Dovecot (IMAP) and Postfix (submission) stack that the
// global test setup starts on 127.0.0.1. Each test uses fresh Message-IDs, so mail left by
// other test files in the same mailboxes does not matter.

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  buildEncryptedMessage,
  buildPlainMessage,
  ImapSession,
  parseMessage,
  sendMessage,
  verifySmtpLogin,
  type FetchedMessage,
  type ImapConnectOptions,
  type SmtpServer,
} from '../src/index.ts';
import { ARMORED_CIPHERTEXT } from './fixtures.ts';

const HOST = '127.0.0.1';
const IMAP_STARTTLS_PORT = 1143;
const IMAPS_PORT = 1993;
const SUBMISSION_PORT = 1587;
const SUBMISSIONS_PORT = 1465;
const CERTIFICATE_FILE = fileURLToPath(
  new URL('../../../.mail-stack/tls/cert.pem', import.meta.url),
);

/** How long delivery from Postfix to Dovecot may take before a test gives up. */
const DELIVERY_TIMEOUT_MS = 20_000;

const skip = process.env.SEALPOST_SKIP_MAIL_STACK === '1';

let pinnedCertificate = '';
let otherCertificate = '';
let otherCertificateDir = '';

function imapOptions(
  user: string,
  overrides: Partial<ImapConnectOptions> = {},
): ImapConnectOptions {
  return {
    host: HOST,
    port: IMAP_STARTTLS_PORT,
    security: 'starttls',
    user: `${user}@sealpost.test`,
    password: `sealpost-${user}`,
    pinnedCertificate,
    ...overrides,
  };
}

function smtpServer(user: string, overrides: Partial<SmtpServer> = {}): SmtpServer {
  return {
    host: HOST,
    port: SUBMISSION_PORT,
    security: 'starttls',
    user: `${user}@sealpost.test`,
    password: `sealpost-${user}`,
    pinnedCertificate,
    ...overrides,
  };
}

function isReachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.setTimeout(3000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Returns a port on 127.0.0.1 that nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

/** Reads the folder to its end and returns where the next fetch should start. */
async function folderState(
  session: ImapSession,
  folder: string,
): Promise<{ uidValidity: number; lastUid: number }> {
  let state = await session.fetchNew(folder, { maxMessages: 1000 });
  while (state.hasMore) {
    state = await session.fetchNew(folder, {
      uidValidity: state.uidValidity,
      lastUid: state.highestUid,
      maxMessages: 1000,
    });
  }
  return { uidValidity: state.uidValidity, lastUid: state.highestUid };
}

async function waitForMessage(
  session: ImapSession,
  folder: string,
  start: { uidValidity: number; lastUid: number },
  messageId: string,
): Promise<{ message: FetchedMessage; highestUid: number }> {
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const result = await session.fetchNew(folder, start);
    const message = result.messages.find((candidate) =>
      Buffer.from(candidate.raw).includes(messageId),
    );
    if (message) return { message, highestUid: result.highestUid };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `message ${messageId} did not arrive in ${folder} within ${DELIVERY_TIMEOUT_MS} ms`,
  );
}

function bodyOf(raw: Uint8Array): Buffer {
  const buffer = Buffer.from(raw);
  return buffer.subarray(buffer.indexOf('\r\n\r\n') + 4);
}

function newMessageId(): string {
  return `<${randomUUID()}@sealpost.test>`;
}

describe.skipIf(skip)('mail stack integration', () => {
  beforeAll(async () => {
    for (const port of [IMAP_STARTTLS_PORT, IMAPS_PORT, SUBMISSION_PORT, SUBMISSIONS_PORT]) {
      if (!(await isReachable(port))) {
        throw new Error(
          `mail stack is not reachable on ${HOST}:${port}: run "scripts/mail-stack up" and check its logs`,
        );
      }
    }
    pinnedCertificate = readFileSync(CERTIFICATE_FILE, 'utf8');

    otherCertificateDir = mkdtempSync(path.join(os.tmpdir(), 'sealpost-other-cert-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(otherCertificateDir, 'key.pem'),
        '-out',
        path.join(otherCertificateDir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    otherCertificate = readFileSync(path.join(otherCertificateDir, 'cert.pem'), 'utf8');
  });

  afterAll(() => {
    if (otherCertificateDir) rmSync(otherCertificateDir, { recursive: true, force: true });
  });

  it('delivers alice to bob byte for byte', async () => {
    const bob = await ImapSession.connect(imapOptions('bob'));
    try {
      const start = await folderState(bob, 'INBOX');
      const messageId = newMessageId();
      const raw = buildEncryptedMessage({
        headers: {
          from: { address: 'alice@sealpost.test', name: 'Alice' },
          to: ['bob@sealpost.test'],
          date: new Date(),
          messageId,
        },
        armoredCiphertext: ARMORED_CIPHERTEXT,
        autocrypt: {
          addr: 'alice@sealpost.test',
          preferEncrypt: 'mutual',
          keydata: new Uint8Array(200).fill(42),
        },
      });

      const result = await sendMessage({
        server: smtpServer('alice'),
        envelope: { from: 'alice@sealpost.test', to: ['bob@sealpost.test'] },
        raw,
      });
      expect(result.accepted).toEqual(['bob@sealpost.test']);
      expect(result.rejected).toEqual([]);
      expect(result.response).toMatch(/^250 /);
      expect(result.messageId).toBe(messageId);

      const { message, highestUid } = await waitForMessage(bob, 'INBOX', start, messageId);
      expect(message.uid).toBeGreaterThan(start.lastUid);
      expect(message.internalDate).toBeInstanceOf(Date);
      expect(bodyOf(message.raw).equals(bodyOf(raw))).toBe(true);
      // The server only prepends fields (Return-Path, Delivered-To, Received), so the sent bytes end the stored copy.
      expect(
        Buffer.from(message.raw)
          .subarray(message.raw.length - raw.length)
          .equals(Buffer.from(raw)),
      ).toBe(true);

      const parsed = parseMessage(message.raw);
      expect(parsed.kind).toBe('pgp-mime-encrypted');
      expect(parsed.headers.messageId).toBe(messageId);
      expect(parsed.autocryptHeaders).toHaveLength(1);

      const again = await bob.fetchNew('INBOX', {
        uidValidity: start.uidValidity,
        lastUid: highestUid,
      });
      expect(again.messages).toEqual([]);
      expect(again.uidValidityChanged).toBe(false);
      expect(again.highestUid).toBe(highestUid);
    } finally {
      await bob.close();
    }
  });

  it('refetches from UID 1 after a UIDVALIDITY change', async () => {
    const bob = await ImapSession.connect(imapOptions('bob'));
    try {
      const start = await folderState(bob, 'INBOX');
      const result = await bob.fetchNew('INBOX', {
        uidValidity: start.uidValidity + 1,
        lastUid: start.lastUid,
        maxMessages: 2,
      });

      expect(result.uidValidityChanged).toBe(true);
      expect(result.uidValidity).toBe(start.uidValidity);
      expect(result.messages.length).toBeGreaterThan(0);
      expect(result.messages[0]!.uid).toBeLessThanOrEqual(start.lastUid);
      expect(result.messages.length).toBeLessThanOrEqual(2);
    } finally {
      await bob.close();
    }
  });

  it('fetches in batches of maxMessages', async () => {
    const bob = await ImapSession.connect(imapOptions('bob'));
    try {
      // Two new messages at least, so a fresh stack has more than one batch to fetch.
      let start = await bob.fetchNew('INBOX', {});
      while (start.hasMore) {
        start = await bob.fetchNew('INBOX', {
          uidValidity: start.uidValidity,
          lastUid: start.highestUid,
        });
      }
      for (const index of [1, 2]) {
        const raw = new Uint8Array(
          Buffer.from(`From: batch@sealpost.test\r\nSubject: batch ${index}\r\n\r\nbody\r\n`),
        );
        await bob.append('INBOX', raw, []);
      }

      const first = await bob.fetchNew('INBOX', {
        uidValidity: start.uidValidity,
        lastUid: start.highestUid,
        maxMessages: 1,
      });
      expect(first.messages).toHaveLength(1);
      expect(first.hasMore).toBe(true);
      expect(first.highestUid).toBe(first.messages[0]!.uid);

      const second = await bob.fetchNew('INBOX', {
        uidValidity: first.uidValidity,
        lastUid: first.highestUid,
        maxMessages: 1,
      });
      expect(second.messages).toHaveLength(1);
      expect(second.messages[0]!.uid).toBeGreaterThan(first.highestUid);
    } finally {
      await bob.close();
    }
  });

  it('uses implicit TLS ports', async () => {
    const session = await ImapSession.connect(
      imapOptions('carol', { port: IMAPS_PORT, security: 'tls' }),
    );
    const folders = await session.listFolders();
    await session.close();
    expect(folders.find((folder) => folder.path === 'INBOX')?.specialUse).toBe('\\Inbox');

    await expect(
      verifySmtpLogin(smtpServer('carol', { port: SUBMISSIONS_PORT, security: 'tls' })),
    ).resolves.toBeUndefined();
  });

  it('appends to the Sent folder', async () => {
    const alice = await ImapSession.connect(imapOptions('alice'));
    try {
      const folders = await alice.listFolders();
      const sent = folders.find((folder) => folder.specialUse === '\\Sent');
      expect(sent, `no \\Sent folder among ${folders.map((f) => f.path).join(', ')}`).toBeDefined();

      const start = await folderState(alice, sent!.path);
      const messageId = newMessageId();
      const raw = buildPlainMessage({
        headers: {
          from: 'alice@sealpost.test',
          to: ['bob@sealpost.test'],
          subject: 'sent copy',
          date: new Date(),
          messageId,
        },
        text: 'kept in Sent',
      });
      const appended = await alice.append(sent!.path, raw, ['\\Seen']);

      const result = await alice.fetchNew(sent!.path, start);
      const stored = result.messages.find((message) =>
        Buffer.from(message.raw).includes(messageId),
      );
      expect(stored).toBeDefined();
      expect(Buffer.from(stored!.raw).equals(Buffer.from(raw))).toBe(true);
      expect(stored!.flags).toContain('\\Seen');
      if (appended.uid !== null) expect(stored!.uid).toBe(appended.uid);
    } finally {
      await alice.close();
    }
  });

  it('reports a missing folder', async () => {
    const alice = await ImapSession.connect(imapOptions('alice'));
    try {
      await expect(alice.fetchNew('No Such Folder')).rejects.toMatchObject({
        code: 'FOLDER_NOT_FOUND',
      });
      await expect(
        alice.append('No Such Folder', new Uint8Array(Buffer.from('From: a@b.test\r\n\r\nx')), []),
      ).rejects.toMatchObject({
        code: 'FOLDER_NOT_FOUND',
      });
    } finally {
      await alice.close();
    }
  });

  it('rejects wrong passwords', async () => {
    await expect(
      ImapSession.connect(imapOptions('alice', { password: 'wrong-password' })),
    ).rejects.toMatchObject({
      code: 'IMAP_AUTH_FAILED',
    });
    await expect(
      sendMessage({
        server: smtpServer('alice', { password: 'wrong-password' }),
        envelope: { from: 'alice@sealpost.test', to: ['bob@sealpost.test'] },
        raw: new Uint8Array(Buffer.from('From: alice@sealpost.test\r\nSubject: x\r\n\r\nx\r\n')),
      }),
    ).rejects.toMatchObject({ code: 'SMTP_AUTH_FAILED' });
  });

  it('never puts the password in an error', async () => {
    const password = 'very-secret-password-123';
    const errors = await Promise.all([
      ImapSession.connect(imapOptions('alice', { password })).catch((error: Error) => error),
      verifySmtpLogin(smtpServer('alice', { password })).catch((error: Error) => error),
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).not.toContain(password);
    }
  });

  it('reports a closed port', async () => {
    const port = await closedPort();
    await expect(ImapSession.connect(imapOptions('alice', { port }))).rejects.toMatchObject({
      code: 'IMAP_CONNECTION_FAILED',
    });
    await expect(verifySmtpLogin(smtpServer('alice', { port }))).rejects.toMatchObject({
      code: 'SMTP_CONNECTION_FAILED',
    });
  });

  it('rejects a certificate other than the pinned one', async () => {
    const other = { pinnedCertificate: otherCertificate };
    await expect(ImapSession.connect(imapOptions('alice', other))).rejects.toMatchObject({
      code: 'TLS_CERTIFICATE_INVALID',
    });
    await expect(
      ImapSession.connect(imapOptions('alice', { ...other, port: IMAPS_PORT, security: 'tls' })),
    ).rejects.toMatchObject({
      code: 'TLS_CERTIFICATE_INVALID',
    });
    await expect(verifySmtpLogin(smtpServer('alice', other))).rejects.toMatchObject({
      code: 'TLS_CERTIFICATE_INVALID',
    });
    await expect(
      verifySmtpLogin(smtpServer('alice', { ...other, port: SUBMISSIONS_PORT, security: 'tls' })),
    ).rejects.toMatchObject({ code: 'TLS_CERTIFICATE_INVALID' });
  });

  it('rejects the self-signed certificate without a pin', async () => {
    await expect(
      ImapSession.connect(imapOptions('alice', { pinnedCertificate: undefined })),
    ).rejects.toMatchObject({
      code: 'TLS_CERTIFICATE_INVALID',
    });
    await expect(
      verifySmtpLogin(smtpServer('alice', { pinnedCertificate: undefined })),
    ).rejects.toMatchObject({
      code: 'TLS_CERTIFICATE_INVALID',
    });
  });

  it('names a rejected recipient', async () => {
    const raw = buildPlainMessage({
      headers: {
        from: 'alice@sealpost.test',
        to: ['nobody@sealpost.test'],
        subject: 'x',
        date: new Date(),
        messageId: newMessageId(),
      },
      text: 'x',
    });
    const failure = sendMessage({
      server: smtpServer('alice'),
      envelope: { from: 'alice@sealpost.test', to: ['nobody@sealpost.test'] },
      raw,
    });

    await expect(failure).rejects.toMatchObject({ code: 'SMTP_RECIPIENT_REJECTED' });
    await expect(failure).rejects.toThrow(/nobody@sealpost\.test/);
  });

  it('lists a partly rejected envelope', async () => {
    const raw = buildPlainMessage({
      headers: {
        from: 'alice@sealpost.test',
        to: ['bob@sealpost.test'],
        subject: 'x',
        date: new Date(),
        messageId: newMessageId(),
      },
      text: 'x',
    });
    const result = await sendMessage({
      server: smtpServer('alice'),
      envelope: { from: 'alice@sealpost.test', to: ['bob@sealpost.test', 'nobody@sealpost.test'] },
      raw,
    });

    expect(result.accepted).toEqual(['bob@sealpost.test']);
    expect(result.rejected).toEqual(['nobody@sealpost.test']);
  });
});
