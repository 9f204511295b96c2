// Benchmark helper, not a test: one phase of the large-attachment benchmark in its own process,
// so only that phase's memory counts. `setup` creates a sender and a recipient on the local mail
// stack and writes the attachment file. `send` sends it, `sync` syncs the recipient's account,
// `read` reads the synced message and saves the attachment, and `receive` does both.
// Each phase prints one JSON line with its seconds, its resident memory before the work and its
// peak (VmHWM from /proc/self/status, Linux only).
// Usage: node --import tsx bench/large-message-run.ts setup|send|build|append|sync|read|receive FOLDER [MiB]

import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { certificateToBinary } from '../packages/crypto-core/src/index.ts';
import { appendFile } from '../packages/mail-transport/src/index.ts';

import { createSilentLogger } from '../apps/desktop/src/core/logger.ts';
import { ensureDataPaths, resolveDataPaths } from '../apps/desktop/src/core/paths.ts';
import { Sealpost } from '../apps/desktop/src/core/sealpost.ts';
import { OutboxFiles } from '../apps/desktop/src/core/outbox-files.ts';
import { buildEncryptedMessageFiles } from '../apps/desktop/src/core/streamed-send.ts';
import { attachmentChunks, releaseAttachments } from '../apps/desktop/src/core/read-attachments.ts';

const [phase, folder, sizeArgument] = process.argv.slice(2);
if (!phase || !folder)
  throw new Error(
    'missing arguments; usage: large-message-run.ts setup|send|build|append|sync|read|receive FOLDER [MiB]',
  );

const PASSPHRASE = 'large message benchmark';
const CERTIFICATE = readFileSync(new URL('../.mail-stack/tls/cert.pem', import.meta.url), 'utf8');
const attachmentFile = path.join(folder, 'attachment.bin');
const stateFile = path.join(folder, 'state.json');

interface State {
  sender: string;
  recipient: string;
  attachmentSha256: string;
  messageId?: string;
}

/** Returns a field of /proc/self/status in MiB, e.g. VmRSS (now) or VmHWM (peak). */
function statusMiB(field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync('/proc/self/status', 'utf8'),
  );
  if (!match) throw new Error(`/proc/self/status has no ${field} line`);
  return Number(match[1]) / 1024;
}

async function open(address: string, name: string): Promise<Sealpost> {
  const paths = resolveDataPaths({ SEALPOST_HOME: path.join(folder!, name) });
  ensureDataPaths(paths);
  return Sealpost.open(paths, createSilentLogger(), {
    passphrase: PASSPHRASE,
    preferPassphrase: true,
    keychain: null,
  });
}

async function addUser(name: string, address: string): Promise<Sealpost> {
  const sealpost = await open(address, name);
  const server = { host: '127.0.0.1', user: address };
  await sealpost.accounts.add({
    email: address,
    displayName: name,
    imap: { ...server, port: 1143, security: 'starttls' },
    smtp: { ...server, port: 1587, security: 'starttls' },
    password: `sealpost-${address.split('@')[0]!}`,
    pinnedCertificate: CERTIFICATE,
  });
  await sealpost.keys.generate({ address, name: null });
  return sealpost;
}

async function setup(mebibytes: number): Promise<void> {
  mkdirSync(folder!, { recursive: true });
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const state: State = {
    sender: `t-bench-large-${run}-a@sealpost.test`,
    recipient: `t-bench-large-${run}-b@sealpost.test`,
    attachmentSha256: '',
  };
  const sender = await addUser('sender', state.sender);
  const recipient = await addUser('recipient', state.recipient);
  const options = { keyPassphrase: null, replacePinned: false };
  const encoder = new TextEncoder();
  await sender.keys.import(
    encoder.encode(recipient.keys.exportCertificate(state.recipient)),
    options,
  );
  await recipient.keys.import(encoder.encode(sender.keys.exportCertificate(state.sender)), options);
  sender.close();
  recipient.close();

  const hash = createHash('sha256');
  const output = createWriteStream(attachmentFile);
  for (let written = 0; written < mebibytes; written += 1) {
    const chunk = randomBytes(1024 * 1024);
    hash.update(chunk);
    if (!output.write(chunk)) await once(output, 'drain');
  }
  output.end();
  await once(output, 'finish');
  state.attachmentSha256 = hash.digest('hex');
  writeFileSync(stateFile, JSON.stringify(state));
}

async function send(state: State): Promise<Record<string, unknown>> {
  const sealpost = await open(state.sender, 'sender');
  try {
    const rssBeforeMiB = statusMiB('VmRSS');
    // A small message first: unlocking the key and the first connections cost memory of their
    // own, which the peak after it shows apart from what the large message adds.
    await sealpost.mail.send({
      from: null,
      to: [state.recipient],
      cc: [],
      bcc: [],
      subject: 'Small message',
      text: 'A short text.\n',
      attachments: [],
      allowPlaintext: false,
      openpgp: true,
    });
    const smallPeakMiB = statusMiB('VmHWM');
    const started = performance.now();
    const sending = sealpost.mail.send({
      from: null,
      to: [state.recipient],
      cc: [],
      bcc: [],
      subject: 'Large attachment',
      text: 'The file is attached.\n',
      attachments: [],
      attachmentFiles: [
        {
          filename: 'attachment.bin',
          contentType: 'application/octet-stream',
          path: attachmentFile,
          size: statSync(attachmentFile).size,
        },
      ],
      allowPlaintext: false,
      openpgp: true,
    });
    // A message above the server's SIZE limit is rejected before it is built.
    const result = await sending.catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'MESSAGE_TOO_LARGE') throw error;
      return null;
    });
    const seconds = (performance.now() - started) / 1000;
    if (result === null) return { seconds, rssBeforeMiB, smallPeakMiB, tooLarge: true };
    writeFileSync(stateFile, JSON.stringify({ ...state, messageId: result.messageId }));
    return {
      seconds,
      rssBeforeMiB,
      smallPeakMiB,
      mode: result.mode,
      savedToSent: result.savedToSent,
    };
  } finally {
    sealpost.close();
  }
}

/**
 * Builds the message file as a send does (buildEncryptedMessageFiles), for a message that is
 * too large for the server to send.
 */
async function build(state: State): Promise<Record<string, unknown>> {
  const sealpost = await open(state.sender, 'sender');
  try {
    const rssBeforeMiB = statusMiB('VmRSS');
    const signingKey = await sealpost.keys.unlock(state.sender);
    const unlockedPeakMiB = statusMiB('VmHWM');
    const started = performance.now();
    const ownCertificate = sealpost.keys.exportCertificate(state.sender);
    const [message] = await buildEncryptedMessageFiles(
      {
        from: { address: state.sender, name: null },
        to: [state.recipient],
        cc: [],
        bcc: [],
        date: new Date(),
        messageId: `<bench-${Date.now()}@sealpost.test>`,
        subject: 'Large attachment',
        text: 'The file is attached.\n',
        attachments: [
          {
            filename: 'attachment.bin',
            contentType: 'application/octet-stream',
            path: attachmentFile,
            size: statSync(attachmentFile).size,
          },
        ],
        autocrypt: {
          addr: state.sender,
          preferEncrypt: 'mutual',
          keydata: await certificateToBinary(ownCertificate),
        },
        certificateOf: (address) =>
          address === state.sender
            ? ownCertificate
            : sealpost.contacts.certificatesFor([address])[0]!,
        signingKey,
        mode: 'auto',
      },
      new OutboxFiles(path.join(folder!, 'sender', 'outbox')),
    );
    signingKey.clear();
    return {
      seconds: (performance.now() - started) / 1000,
      rssBeforeMiB,
      unlockedPeakMiB,
      fileBytes: message!.file.size,
    };
  } finally {
    sealpost.close();
  }
}

/** Appends the message file that `build` wrote to the sender's Sent folder. */
async function append(state: State): Promise<Record<string, unknown>> {
  const outbox = path.join(folder!, 'sender', 'outbox');
  const name = readdirSync(outbox).find((entry) => entry.endsWith('.eml'));
  if (!name) throw new Error(`no message file in ${outbox}`);
  const file = path.join(outbox, name);
  const rssBeforeMiB = statusMiB('VmRSS');
  const started = performance.now();
  await appendFile(
    {
      host: '127.0.0.1',
      port: 1143,
      security: 'starttls',
      user: state.sender,
      password: `sealpost-${state.sender.split('@')[0]!}`,
      pinnedCertificate: CERTIFICATE,
    },
    { path: 'Sent', file, size: statSync(file).size, flags: ['\\Seen'] },
  );
  return {
    seconds: (performance.now() - started) / 1000,
    rssBeforeMiB,
    fileBytes: statSync(file).size,
  };
}

/** Syncs the recipient's account, which downloads the large message. */
async function sync(state: State): Promise<Record<string, unknown>> {
  const sealpost = await open(state.recipient, 'recipient');
  try {
    const rssBeforeMiB = statusMiB('VmRSS');
    const started = performance.now();
    await sealpost.mail.sync({ account: null });
    const seconds = (performance.now() - started) / 1000;
    const stored = sealpost.mail
      .list({ account: null, folder: 'INBOX' })
      .some((message) => message.messageId === state.messageId);
    if (!stored) throw new Error(`message ${state.messageId} did not arrive`);
    return { seconds, rssBeforeMiB };
  } finally {
    sealpost.close();
  }
}

/** Reads the message, syncing first unless `synced`, and saves its attachment. */
async function receive(state: State, synced: boolean): Promise<Record<string, unknown>> {
  const sealpost = await open(state.recipient, 'recipient');
  try {
    const rssBeforeMiB = statusMiB('VmRSS');
    const started = performance.now();
    if (!synced) await sealpost.mail.sync({ account: null });
    const found = sealpost.mail
      .list({ account: null, folder: 'INBOX' })
      .find((message) => message.messageId === state.messageId);
    if (!found) throw new Error(`message ${state.messageId} did not arrive`);
    const message = await sealpost.mail.read(found.id);
    const saved = path.join(folder!, 'received.bin');
    // Saved as `sealpost read --save-attachments` saves it: streamed from memory or its file.
    try {
      await pipeline(
        Readable.from(attachmentChunks(message.attachments[0]!)),
        createWriteStream(saved),
      );
    } finally {
      releaseAttachments(message.attachments);
    }
    const seconds = (performance.now() - started) / 1000;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(saved)) hash.update(chunk as Buffer);
    return {
      seconds,
      rssBeforeMiB,
      identical: hash.digest('hex') === state.attachmentSha256,
    };
  } finally {
    sealpost.close();
  }
}

if (phase === 'setup') {
  await setup(Number(sizeArgument));
  process.stdout.write('{}\n');
} else {
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as State;
  const result =
    phase === 'send'
      ? await send(state)
      : phase === 'build'
        ? await build(state)
        : phase === 'append'
          ? await append(state)
          : phase === 'sync'
            ? await sync(state)
            : await receive(state, phase === 'read');
  process.stdout.write(`${JSON.stringify({ ...result, peakMiB: statusMiB('VmHWM') })}\n`);
}
