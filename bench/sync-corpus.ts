// Benchmark corpus, not a test: fills the Maildir of a t-bench-... user of the local Dovecot
// with realistic messages and makes Dovecot index them (`doveadm force-resync`). Plain
// messages have mixed sizes (mostly 1-20 KiB text, some with a 30-300 KiB base64 attachment);
// a share are PGP/MIME messages that Sealpost really encrypted to the bench user, copied with
// fresh outer Message-IDs. Sizes and words come from a seeded PRNG, so runs are comparable.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { swapCertificates } from '../apps/desktop/test/e2e/stack.ts';
import type { Sealpost } from '../apps/desktop/src/core/sealpost.ts';
import { mulberry32 } from '../apps/desktop/test/sync/cutting-proxy.ts';
import { createSyncHome, type SyncHome } from '../apps/desktop/test/sync/sync-fixtures.ts';

export const repositoryRoot = path.resolve(import.meta.dirname, '..');
const STACK = path.join(repositoryRoot, '.mail-stack');
export const DOVECOT_CONFIG = path.join(STACK, 'dovecot.conf');
export const STACK_CERTIFICATE = path.join(STACK, 'tls', 'cert.pem');

/** Owner of the mail files: the uid and gid the stack's userdb gives every mailbox. */
const MAIL_UID = 999;
const MAIL_GID = 995;

/** Attachment bytes; each attachment is a slice of them, as incompressible as real files. */
const ATTACHMENT_POOL = randomBytes(300_000);

/** Encrypted messages really sent through Postfix; the corpus copies them. */
const ENCRYPTED_TEMPLATES = 8;

const WORDS = (
  'budget harbour invoice meeting quarterly report travel schedule project review contract ' +
  'delivery server backup release garden concert holiday receipt payroll migration kernel ' +
  'database firewall lunch weekend birthday doctor insurance mortgage museum ferry violin ' +
  'lighthouse glacier orchard saffron tangerine bicycle compass lantern meadow pebble quartz'
).split(' ');

export interface Corpus {
  address: string;
  maildir: string;
  messages: number;
  encrypted: number;
  bytes: number;
  /** The bench user's Sealpost data folder; its account points at the local Dovecot. */
  home: SyncHome;
}

/** Returns the Maildir of a stack user, as the stack's userdb places it. */
export function maildirOf(address: string): string {
  const [local, domain] = address.split('@') as [string, string];
  return path.join(STACK, 'mail', domain, local, 'Maildir');
}

/**
 * Creates the bench user, sends it a few encrypted messages through Postfix, then writes
 * `count` messages in total into its INBOX and lets Dovecot index them.
 */
export async function buildCorpus(
  name: string,
  count: number,
  options: { seed: number; encryptedShare: number },
): Promise<Corpus> {
  const address = `t-bench-${name}@sealpost.test`;
  const home = await createSyncHome(address, {}, { generateKey: true });
  const templates = await encryptedTemplates(home);

  const maildir = maildirOf(address);
  const cur = path.join(maildir, 'cur');
  const random = mulberry32(options.seed);
  const started = performance.now();
  let bytes = 0;
  let encrypted = 0;
  for (let index = 0; index < count - templates.length; index += 1) {
    const message =
      random() < options.encryptedShare
        ? withMessageId(templates[index % templates.length]!, `<bench-enc-${index}@sealpost.test>`)
        : plainMessage(address, index, random);
    if (message.encrypted) encrypted += 1;
    const flags = random() < 0.6 ? 'S' : '';
    const file = path.join(
      cur,
      `${1_700_000_000 + index}.M${index}P1.bench,S=${message.raw.length}:2,${flags}`,
    );
    writeFileSync(file, message.raw);
    chownSync(file, MAIL_UID, MAIL_GID);
    bytes += message.raw.length;
  }
  execFileSync('doveadm', ['-c', DOVECOT_CONFIG, 'force-resync', '-u', address, 'INBOX']);
  process.stderr.write(
    `corpus ${address}: ${count} messages, ${(bytes / 2 ** 20).toFixed(0)} MiB, written and indexed in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return {
    address,
    maildir,
    messages: count,
    encrypted: encrypted + templates.length,
    bytes,
    home,
  };
}

/**
 * Returns the corpus an earlier run of buildCorpus left in the Maildir of `address` (set
 * BENCH_USER to reuse it), with a new Sealpost data folder for it. Its encrypted messages
 * were encrypted to the earlier run's key, which sync never needs. `encrypted` counts the
 * files whose outer Content-Type is multipart/encrypted.
 */
export async function existingCorpus(address: string): Promise<Corpus> {
  if (!/^t-bench-[a-z0-9-]+@sealpost\.test$/.test(address)) {
    throw new Error(`BENCH_USER: expected a t-bench-...@sealpost.test address, got ${address}`);
  }
  const maildir = maildirOf(address);
  let messages = 0;
  let bytes = 0;
  let encrypted = 0;
  for (const folder of ['cur', 'new']) {
    for (const file of safeList(path.join(maildir, folder))) {
      const head = readHead(path.join(maildir, folder, file));
      messages += 1;
      bytes += head.size;
      if (/^content-type:\s*multipart\/encrypted/im.test(head.text)) encrypted += 1;
    }
  }
  if (messages === 0) throw new Error(`BENCH_USER ${address} has no messages in ${maildir}`);
  const home = await createSyncHome(address);
  return { address, maildir, messages, encrypted, bytes, home };
}

/** Reads the size and the first 4 KiB (the header section) of a message file. */
function readHead(file: string): { size: number; text: string } {
  const descriptor = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const length = readSync(descriptor, buffer, 0, buffer.length, 0);
    return {
      size: fstatSync(descriptor).size,
      text: buffer.subarray(0, length).toString('latin1'),
    };
  } finally {
    closeSync(descriptor);
  }
}

/** Sends ENCRYPTED_TEMPLATES encrypted messages to the bench user and returns their files. */
async function encryptedTemplates(recipientHome: SyncHome): Promise<Buffer[]> {
  const senderHome = await createSyncHome(
    `t-bench-sender-${process.pid.toString(36)}@sealpost.test`,
    {},
    { generateKey: true },
  );
  const sender = await senderHome.open();
  const recipient = await recipientHome.open();
  try {
    await swapCertificates(
      { address: senderHome.address, sealpost: sender } as Parameters<typeof swapCertificates>[0],
      { address: recipientHome.address, sealpost: recipient } as Parameters<
        typeof swapCertificates
      >[1],
    );
    for (let index = 0; index < ENCRYPTED_TEMPLATES; index += 1) {
      await sendEncrypted(sender, recipientHome.address, index);
    }
  } finally {
    sender.close();
    recipient.close();
    senderHome.remove();
  }

  const fresh = path.join(maildirOf(recipientHome.address), 'new');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const files = safeList(fresh);
    if (files.length >= ENCRYPTED_TEMPLATES) {
      return files.map((file) => readFileSync(path.join(fresh, file)));
    }
    if (Date.now() > deadline) {
      throw new Error(`only ${files.length} of ${ENCRYPTED_TEMPLATES} encrypted messages arrived`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function sendEncrypted(sender: Sealpost, to: string, index: number): Promise<void> {
  const result = await sender.mail.send({
    from: null,
    to: [to],
    cc: [],
    bcc: [],
    subject: `Encrypted ${WORDS[index % WORDS.length]} notes`,
    text: `Private ${WORDS[(index * 7) % WORDS.length]} details.\n`.repeat(40 + index * 30),
    attachments: [],
    allowPlaintext: false,
  });
  if (result.mode !== 'openpgp') throw new Error(`message ${index} was sent ${result.mode}`);
}

function safeList(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function withMessageId(raw: Buffer, messageId: string): { raw: Buffer; encrypted: boolean } {
  const text = raw.toString('latin1').replace(/^Message-ID:.*$/im, `Message-ID: ${messageId}`);
  return { raw: Buffer.from(text, 'latin1'), encrypted: true };
}

function plainMessage(
  address: string,
  index: number,
  random: () => number,
): { raw: Buffer; encrypted: boolean } {
  const sentence = (): string => {
    const length = 6 + Math.floor(random() * 12);
    const words: string[] = [];
    for (let i = 0; i < length; i += 1) words.push(WORDS[Math.floor(random() * WORDS.length)]!);
    return `${words.join(' ')}.`;
  };
  // Text size: mostly 1-20 KiB, a long tail up to about 100 KiB.
  const textBytes = 600 + Math.floor(random() ** 3 * 100_000);
  const lines: string[] = [];
  for (let size = 0; size < textBytes;) {
    const line = sentence();
    lines.push(line);
    size += line.length + 2;
  }
  const sender = `person${Math.floor(random() * 400)}@example.org`;
  const date = new Date(Date.UTC(2022, 0, 1) + index * 600_000).toUTCString();
  const head =
    `From: ${sender}\r\nTo: ${address}\r\nSubject: ${sentence().slice(0, 60)}\r\n` +
    `Date: ${date}\r\nMessage-ID: <bench-${index}@example.org>\r\nMIME-Version: 1.0\r\n`;

  if (random() < 0.05) {
    const attachment = ATTACHMENT_POOL.subarray(0, 30_000 + Math.floor(random() * 270_000));
    const base64 = attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
    const boundary = `b${index}`;
    return {
      raw: Buffer.from(
        `${head}Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
          `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${lines.join('\r\n')}\r\n` +
          `--${boundary}\r\nContent-Type: application/octet-stream\r\n` +
          `Content-Disposition: attachment; filename="data-${index}.bin"\r\n` +
          `Content-Transfer-Encoding: base64\r\n\r\n${base64}\r\n--${boundary}--\r\n`,
        'latin1',
      ),
      encrypted: false,
    };
  }
  return {
    raw: Buffer.from(
      `${head}Content-Type: text/plain; charset=utf-8\r\n\r\n${lines.join('\r\n')}\r\n`,
      'latin1',
    ),
    encrypted: false,
  };
}
