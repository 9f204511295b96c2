// Runs the sealpost command as a script would (a child process with its own data folder) and
// sets up a user on the local mail stack through it: account add, then key generate. Also
// delivers plain mail straight into a stack user's INBOX.

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapSession } from '@sealpost/mail-transport';
import { expect } from 'vitest';
import {
  IMAP_STARTTLS_PORT,
  SMTP_SUBMISSION_PORT,
  imapOptionsFor,
  repositoryRoot,
  stackCertificateFile,
  stackPassword,
} from '../e2e/stack.ts';

const run = promisify(execFile);
const cliEntry = path.join(repositoryRoot, 'apps/desktop/src/cli/main.ts');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface CliUser {
  address: string;
  /** The data folder, passed as SEALPOST_HOME. */
  home: string;
}

/** Runs `sealpost ...args` with SEALPOST_HOME=home; `input` goes to standard input. */
export async function runSealpost(
  home: string,
  args: string[],
  input?: string,
): Promise<CliResult> {
  const child = run(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, SEALPOST_HOME: home },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return {
      status: failure.code ?? 1,
      stdout: failure.stdout ?? '',
      stderr: failure.stderr ?? '',
    };
  }
}

/** Settings of `addCliAccount` that replace the stack's defaults. */
export interface CliAccountOptions {
  /** For a proxy in front of the stack. */
  imapPort?: number;
  smtpPort?: number;
  /** Default: the stack's password of the address. */
  password?: string;
  /** Default: starttls, which the stack's ports expect. */
  imapSecurity?: string;
  smtpSecurity?: string;
}

/**
 * Runs `sealpost account add` for `address` in the data folder `home` against the local mail
 * stack (STARTTLS, pinned certificate), with the password written to a file in `work`.
 * `options` replace ports, password or security for tests of failed logins.
 * `extraArgs` (such as `--passphrase-file F`) are appended. Returns the command's result unchecked.
 */
export async function addCliAccount(
  home: string,
  address: string,
  work: string,
  extraArgs: string[],
  options: CliAccountOptions = {},
): Promise<CliResult> {
  const passwordFile = path.join(work, `${address}.password`);
  writeFileSync(passwordFile, `${options.password ?? stackPassword(address)}\n`);
  return runSealpost(home, [
    'account',
    'add',
    '--email',
    address,
    '--imap-host',
    '127.0.0.1',
    '--imap-port',
    String(options.imapPort ?? IMAP_STARTTLS_PORT),
    '--imap-security',
    options.imapSecurity ?? 'starttls',
    '--smtp-host',
    '127.0.0.1',
    '--smtp-port',
    String(options.smtpPort ?? SMTP_SUBMISSION_PORT),
    '--smtp-security',
    options.smtpSecurity ?? 'starttls',
    '--pin-certificate',
    stackCertificateFile,
    '--password-file',
    passwordFile,
    ...extraArgs,
  ]);
}

/**
 * Adds the user's account on the local mail stack (see `addCliAccount`) and generates its key.
 * `extraArgs` (such as `--passphrase-file F`) go to both commands.
 * `smtpPort` replaces the stack's submission port, for a proxy in front of it.
 */
export async function addCliUser(
  user: CliUser,
  work: string,
  extraArgs: string[],
  smtpPort: number = SMTP_SUBMISSION_PORT,
): Promise<void> {
  const added = await addCliAccount(user.home, user.address, work, extraArgs, { smtpPort });
  expect(added.stderr).toBe('');
  expect(added.status).toBe(0);
  const generated = await runSealpost(user.home, [
    'key',
    'generate',
    '--address',
    user.address,
    ...extraArgs,
  ]);
  expect(generated.status).toBe(0);
}

/**
 * Exports the certificate of `owner` to a file in `work` and imports it into the data folder of
 * `recipient`; both commands must succeed. `extraArgs` go to both commands.
 */
export async function shareCliCertificate(
  owner: CliUser,
  recipient: CliUser,
  work: string,
  extraArgs: string[],
): Promise<void> {
  const certificateFile = path.join(work, `${path.basename(owner.home)}.asc`);
  const exported = await runSealpost(owner.home, [
    'key',
    'export',
    '--address',
    owner.address,
    '--output',
    certificateFile,
    ...extraArgs,
  ]);
  expect(exported.status).toBe(0);
  const imported = await runSealpost(recipient.home, [
    'key',
    'import',
    certificateFile,
    ...extraArgs,
  ]);
  expect(imported.status).toBe(0);
}

/** Appends a plain (unencrypted) message to the INBOX of `address` on the stack. */
export async function deliverPlain(address: string, headers: string, body: string): Promise<void> {
  const raw = `From: sender@example.org\r\nTo: ${address}\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@example.org>\r\nMIME-Version: 1.0\r\n${headers}\r\n\r\n${body}`;
  const session = await ImapSession.connect(imapOptionsFor(address));
  try {
    await session.append('INBOX', Buffer.from(raw, 'utf8'), []);
  } finally {
    await session.close();
  }
}
