// Runs the sealpost command as a script would (a child process with its own data folder) and
// sets up a user on the local mail stack through it: account add, then key generate.

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import {
  IMAP_STARTTLS_PORT,
  SMTP_SUBMISSION_PORT,
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

/**
 * Adds the user's account on the local mail stack (password written to a file in `work`) and
 * generates its key. `extraArgs` (such as `--passphrase-file F`) go to both commands.
 * `smtpPort` replaces the stack's submission port, for a proxy in front of it.
 */
export async function addCliUser(
  user: CliUser,
  work: string,
  extraArgs: string[],
  smtpPort: number = SMTP_SUBMISSION_PORT,
): Promise<void> {
  const passwordFile = path.join(work, `${path.basename(user.home)}.password`);
  writeFileSync(passwordFile, `${stackPassword(user.address)}\n`);
  const added = await runSealpost(user.home, [
    'account',
    'add',
    '--email',
    user.address,
    '--imap-host',
    '127.0.0.1',
    '--imap-port',
    String(IMAP_STARTTLS_PORT),
    '--imap-security',
    'starttls',
    '--smtp-host',
    '127.0.0.1',
    '--smtp-port',
    String(smtpPort),
    '--smtp-security',
    'starttls',
    '--pin-certificate',
    stackCertificateFile,
    '--password-file',
    passwordFile,
    ...extraArgs,
  ]);
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
