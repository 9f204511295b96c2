// Test helpers for end-to-end tests against the local mail stack started by the global test
// setup: connection facts of the test users and a way to set up a Sealpost user in a fresh
// data folder, as if on its own computer.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { ImapSession } from '@sealpost/mail-transport';
import type { ImapConnectOptions } from '@sealpost/mail-transport';
import { createSilentLogger } from '../../src/core/logger.ts';
import { ensureDataPaths, resolveDataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';

export const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const stackCertificateFile = path.join(repositoryRoot, '.mail-stack', 'tls', 'cert.pem');
export const IMAP_STARTTLS_PORT = 1143;
export const SMTP_SUBMISSION_PORT = 1587;

/** A role in a test; each test run gets its own mailbox t-<run>-<role>@sealpost.test. */
export type TestUserName = 'alice' | 'bob' | 'carol';

// The stack accepts any t-<name>@sealpost.test (password sealpost-t-<name>), so test files
// that run at the same time, or again on the same stack, never share a mailbox.
const RUN_ID = `${process.pid.toString(36)}${Date.now().toString(36)}`;
let userCount = 0;

export interface TestUser {
  name: TestUserName;
  login: string;
  address: string;
  home: string;
  passphrase: string;
  sealpost: Sealpost;
  close(): void;
}

/** Returns a new, unused mailbox address on the stack for `role`. */
export function uniqueAddress(role: string): string {
  userCount += 1;
  return `t-${RUN_ID}-${userCount}-${role}@sealpost.test`;
}

export function stackPassword(address: string): string {
  return `sealpost-${address.split('@')[0]!}`;
}

export function stackCertificate(): string {
  return readFileSync(stackCertificateFile, 'utf8');
}

export function imapOptionsFor(
  address: string,
  password = stackPassword(address),
): ImapConnectOptions {
  return {
    host: '127.0.0.1',
    port: IMAP_STARTTLS_PORT,
    security: 'starttls',
    user: address,
    password,
    pinnedCertificate: stackCertificate(),
  };
}

/**
 * Opens Sealpost in a new data folder for `name`, with its keys in the OS keychain unless
 * `keystore` is "passphrase", adds the account and, unless told not to, a key.
 */
export async function createUser(
  name: TestUserName,
  options: { generateKey?: boolean; keystore?: 'keychain' | 'passphrase' } = {},
): Promise<TestUser> {
  const home = mkdtempSync(path.join(os.tmpdir(), `sealpost-${name}-`));
  const paths = resolveDataPaths({ SEALPOST_HOME: home });
  ensureDataPaths(paths);
  const passphrase = `test passphrase of ${name}`;
  const sealpost = await Sealpost.open(paths, createSilentLogger(), {
    passphrase,
    preferPassphrase: options.keystore === 'passphrase',
  });

  const address = uniqueAddress(name);
  const server = { host: '127.0.0.1', user: address };
  await sealpost.accounts.add({
    email: address,
    displayName: name[0]!.toUpperCase() + name.slice(1),
    imap: { ...server, port: IMAP_STARTTLS_PORT, security: 'starttls' },
    smtp: { ...server, port: SMTP_SUBMISSION_PORT, security: 'starttls' },
    password: stackPassword(address),
    pinnedCertificate: stackCertificate(),
  });
  if (options.generateKey !== false) {
    await sealpost.keys.generate({ address, name: null });
  }

  return {
    name,
    login: address,
    address,
    home,
    passphrase,
    sealpost,
    close() {
      sealpost.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Gives each user the other's certificate, as if they had swapped key files. */
export async function swapCertificates(first: TestUser, second: TestUser): Promise<void> {
  const encoder = new TextEncoder();
  const options = { keyPassphrase: null, replacePinned: false };
  await first.sealpost.keys.import(
    encoder.encode(second.sealpost.keys.exportCertificate(second.address)),
    options,
  );
  await second.sealpost.keys.import(
    encoder.encode(first.sealpost.keys.exportCertificate(first.address)),
    options,
  );
}

/** Opens alice, bob and carol in that order, then swaps certificates between each given pair. */
export async function createTrio(
  swaps: Array<[TestUserName, TestUserName]>,
): Promise<Record<TestUserName, TestUser>> {
  const users = {
    alice: await createUser('alice'),
    bob: await createUser('bob'),
    carol: await createUser('carol'),
  };
  for (const [first, second] of swaps) await swapCertificates(users[first], users[second]);
  return users;
}

/** Opens alice and bob, each holding the other's certificate. */
export async function createCorrespondents(): Promise<Correspondents> {
  const alice = await createUser('alice');
  const bob = await createUser('bob');
  await swapCertificates(alice, bob);
  return { alice, bob };
}

/** Two users who have each other's certificates. */
export interface Correspondents {
  alice: TestUser;
  bob: TestUser;
}

/** Creates alice and bob before the suite's tests, passes them to `take`, and closes them after. */
export function useCorrespondents(take: (pair: Correspondents) => void): void {
  let pair: Correspondents | undefined;
  beforeAll(async () => {
    pair = await createCorrespondents();
    take(pair);
  });
  afterAll(() => {
    pair?.alice.close();
    pair?.bob.close();
  });
}

type SendInput = Parameters<Sealpost['mail']['send']>[0];

/** Sends encrypted mail from `from` to `to`, with no cc or bcc unless given. */
export function sendEncrypted(
  from: TestUser,
  to: TestUser[],
  content: Pick<SendInput, 'subject' | 'text'> & Partial<SendInput>,
): ReturnType<Sealpost['mail']['send']> {
  return from.sealpost.mail.send({
    from: null,
    to: to.map((user) => user.address),
    cc: [],
    bcc: [],
    attachments: [],
    allowPlaintext: false,
    ...content,
  });
}

/** Syncs `user` and returns the id of the stored message whose Message-ID is `messageId`. */
export async function syncAndFind(user: TestUser, messageId: string): Promise<number> {
  await user.sealpost.mail.sync({ account: null });
  const found = user.sealpost.mail
    .list({ account: null, folder: 'INBOX' })
    .find((message) => message.messageId === messageId);
  if (!found) throw new Error(`message ${messageId} did not arrive in ${user.address}'s INBOX`);
  return found.id;
}

/** Appends `raw` to the INBOX of `name` on the server, as a delivered message would arrive. */
export async function deliverRaw(user: TestUser, raw: Uint8Array): Promise<void> {
  const session = await ImapSession.connect(imapOptionsFor(user.address));
  try {
    await session.append('INBOX', raw, []);
  } finally {
    await session.close();
  }
}

/** Returns how many messages in `mailbox` of a stack `address` have the Message-ID `messageId`. */
export async function countByMessageId(
  address: string,
  mailbox: string,
  messageId: string,
): Promise<number> {
  const session = await ImapSession.connect(imapOptionsFor(address));
  try {
    return (await session.searchMessageId(mailbox, messageId)).length;
  } finally {
    await session.close();
  }
}

/** Fetches the raw message with `messageId` from the INBOX of `name` on the server. */
export async function fetchRawFromServer(user: TestUser, messageId: string): Promise<Buffer> {
  return fetchRawFromMailbox(user.address, messageId);
}

/** Fetches the raw message with `messageId` from the INBOX of any stack `address`. */
export async function fetchRawFromMailbox(address: string, messageId: string): Promise<Buffer> {
  const session = await ImapSession.connect(imapOptionsFor(address));
  try {
    const { messages } = await session.fetchNew('INBOX', {});
    const wanted = messageId.replace(/^<|>$/g, '');
    for (const message of messages.reverse()) {
      const raw = Buffer.from(message.raw);
      if (raw.toString('latin1').includes(`<${wanted}>`)) return raw;
    }
    throw new Error(`message ${messageId} not found in ${address}'s INBOX on the server`);
  } finally {
    await session.close();
  }
}
