// Fixtures for the sync tests against the local Dovecot. They fill a mailbox with plain
// messages of mixed sizes and flags, open a Sealpost user whose IMAP and SMTP go through chosen
// ports (a fault proxy), create data folders that child processes open in turn, and take
// snapshots of a folder on the server and in the local store to compare.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImapSession } from '@sealpost/mail-transport';
import { createSilentLogger } from '../../src/core/logger.ts';
import { ensureDataPaths, resolveDataPaths, type DataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';
import {
  IMAP_STARTTLS_PORT,
  imapOptionsFor,
  repositoryRoot,
  SMTP_SUBMISSION_PORT,
  stackCertificate,
  stackPassword,
} from '../e2e/stack.ts';
import { mulberry32 } from './cutting-proxy.ts';

export interface SyncUser {
  address: string;
  home: string;
  paths: DataPaths;
  passphrase: string;
  sealpost: Sealpost;
  close(): void;
}

/** Builds a plain RFC 5322 message of about `size` bytes. */
export function plainMessage(address: string, index: number, size: number): Buffer {
  const line = `Line ${index} of the quarterly report with words like budget and harbour.\r\n`;
  const body = line.repeat(Math.max(1, Math.floor(size / line.length)));
  return Buffer.from(
    `From: Sender ${index % 7} <sender${index % 7}@example.org>\r\n` +
      `To: ${address}\r\n` +
      `Subject: Report ${index}\r\n` +
      `Date: ${new Date(Date.UTC(2024, 0, 1) + index * 60_000).toUTCString()}\r\n` +
      `Message-ID: <report-${index}-${address}>\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\n\r\n' +
      body,
  );
}

/** Appends `count` messages of mixed sizes (1 KiB to 40 KiB) with a mix of flags to `folder`. */
export async function populateMailbox(
  address: string,
  count: number,
  seed: number,
  folder = 'INBOX',
): Promise<void> {
  const random = mulberry32(seed);
  const session = await ImapSession.connect(imapOptionsFor(address));
  try {
    for (let index = 0; index < count; index += 1) {
      const size = 1024 + Math.floor(random() ** 3 * 40 * 1024);
      const flags = [
        ...(random() < 0.5 ? ['\\Seen'] : []),
        ...(random() < 0.1 ? ['\\Flagged'] : []),
      ];
      await session.append(folder, plainMessage(address, index, size), flags);
    }
  } finally {
    await session.close();
  }
}

/** Returns the folder on the server as UID -> sorted flags. */
export async function serverSnapshot(
  address: string,
  folder = 'INBOX',
): Promise<Map<number, string>> {
  const session = await ImapSession.connect(imapOptionsFor(address));
  try {
    const uids = await session.searchUids(folder, '1:*');
    if (uids.length === 0) return new Map();
    const { changes } = await session.fetchFlagChanges(folder, {
      maxUid: uids[uids.length - 1]!,
      sinceModseq: null,
    });
    return new Map(changes.map((change) => [change.uid, change.flags.join(' ')]));
  } finally {
    await session.close();
  }
}

/** Returns the folder in the local store as UID -> sorted flags, with row counts. */
export function localSnapshot(
  sealpost: Sealpost,
  folder = 'INBOX',
): { flags: Map<number, string>; rows: number; withoutBody: number; distinctMessageIds: number } {
  const snapshot = sealpost.mail.folderSnapshot({ account: null, folder });
  return {
    flags: new Map(snapshot.messages.map((message) => [message.uid!, message.flags.join(' ')])),
    rows: snapshot.messages.length,
    withoutBody: snapshot.bodiesPending,
    distinctMessageIds: new Set(snapshot.messages.map((message) => message.messageId)).size,
  };
}

/** Opens Sealpost for `address` in a new data folder, with IMAP and SMTP on the given ports. */
export async function openSyncUser(
  address: string,
  ports: { imap?: number; smtp?: number } = {},
): Promise<SyncUser> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'sealpost-sync-'));
  const paths = resolveDataPaths({ SEALPOST_HOME: home });
  ensureDataPaths(paths);
  const passphrase = 'test passphrase of the sync user';
  const sealpost = await Sealpost.open(paths, createSilentLogger(), { passphrase });
  const server = { host: '127.0.0.1', user: address };
  await sealpost.accounts.add({
    email: address,
    displayName: null,
    imap: { ...server, port: ports.imap ?? IMAP_STARTTLS_PORT, security: 'starttls' },
    smtp: { ...server, port: ports.smtp ?? SMTP_SUBMISSION_PORT, security: 'starttls' },
    password: stackPassword(address),
    pinnedCertificate: stackCertificate(),
  });
  return {
    address,
    home,
    paths,
    passphrase,
    sealpost,
    close() {
      sealpost.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A data folder with one account, closed so that child processes can open it in turn. */
export interface SyncHome {
  address: string;
  home: string;
  passphrase: string;
  /** Opens Sealpost on the folder in this process; close it before starting a child. */
  open(): Promise<Sealpost>;
  remove(): void;
}

/**
 * Creates a data folder for `address` whose keys are sealed with a passphrase (no keychain, so
 * child processes can unlock it), adds the account with IMAP and SMTP on the given ports and,
 * with `generateKey`, an OpenPGP key.
 */
export async function createSyncHome(
  address: string,
  ports: { imap?: number; smtp?: number } = {},
  options: { generateKey?: boolean } = {},
): Promise<SyncHome> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'sealpost-crash-'));
  const paths = resolveDataPaths({ SEALPOST_HOME: home });
  ensureDataPaths(paths);
  const passphrase = 'test passphrase of the crash user';
  const open = () =>
    Sealpost.open(paths, createSilentLogger(), {
      passphrase,
      preferPassphrase: true,
      keychain: null,
    });
  const sealpost = await open();
  try {
    const server = { host: '127.0.0.1', user: address };
    await sealpost.accounts.add({
      email: address,
      displayName: null,
      imap: { ...server, port: ports.imap ?? IMAP_STARTTLS_PORT, security: 'starttls' },
      smtp: { ...server, port: ports.smtp ?? SMTP_SUBMISSION_PORT, security: 'starttls' },
      password: stackPassword(address),
      pinnedCertificate: stackCertificate(),
    });
    if (options.generateKey) await sealpost.keys.generate({ address, name: null });
  } finally {
    sealpost.close();
  }
  return {
    address,
    home,
    passphrase,
    open,
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** The outcome of one child process run: killed, or finished with the JSON it printed. */
export interface ChildRun {
  killed: boolean;
  /** True once the child had opened the store (printed "ready"). */
  ready: boolean;
  result: Record<string, unknown> | null;
  stderr: string;
}

const CHILD_SCRIPT = path.join(import.meta.dirname, 'crash-child.ts');

/**
 * Runs crash-child.ts on `home`. `killAfterProgress` sends SIGKILL `delayMs` after the child's
 * n-th stored sync batch, so the kill lands inside the sync however fast the machine is.
 * `onStart` receives a function that kills the child at once.
 */
export function runChild(
  home: SyncHome,
  request: { action: 'sync' | 'send'; to?: string; subject?: string; bodyBytes?: number },
  options: {
    killAfterProgress?: { batches: number; delayMs: number };
    onStart?: (kill: () => void) => void;
  } = {},
): Promise<ChildRun> {
  // Node itself with the tsx loader, not the tsx command: that one runs the script in a second
  // process, which SIGKILL of the first would leave running.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CHILD_SCRIPT,
      JSON.stringify({ ...request, home: home.home, passphrase: home.passphrase }),
    ],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const kill = () => child.kill('SIGKILL');
  options.onStart?.(kill);
  let stdout = '';
  let stderr = '';
  let ready = false;
  let killScheduled = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (!ready && stdout.includes('ready\n')) {
      ready = true;
    }

    const target = options.killAfterProgress;
    const batches = stdout.split('progress\n').length - 1;
    if (target !== undefined && !killScheduled && batches >= target.batches) {
      killScheduled = true;
      setTimeout(kill, target.delayMs);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const done = /^done (.*)$/m.exec(stdout);
      resolve({
        killed: signal === 'SIGKILL',
        ready,
        result: done ? (JSON.parse(done[1]!) as Record<string, unknown>) : null,
        stderr: code === 0 || signal === 'SIGKILL' ? stderr : `exit ${code}: ${stderr}`,
      });
    });
  });
}
