// Helpers for the end-to-end tests of messages too large for the database: sending one large
// attachment from a file, running large-receive-child.ts, and opening a user's data folder
// between the child's runs.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Store } from '@sealpost/storage';
import { createSilentLogger } from '../../src/core/logger.ts';
import { resolveDataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';
import type { LargeReceiveRequest, LargeReceiveResult } from './large-receive-child.ts';
import { sendEncrypted, type TestUser } from './stack.ts';

const child = fileURLToPath(new URL('./large-receive-child.ts', import.meta.url));

/** Returns the store behind `sealpost`, for checks of rows the API does not show. */
export function storeOf(sealpost: Sealpost): Store {
  return (sealpost as unknown as { store: Store }).store;
}

/** Sends `to` an OpenPGP message from `from` with the file `file` of `size` bytes as survey.bin. */
export function sendSurvey(
  from: TestUser,
  to: TestUser,
  subject: string,
  file: string,
  size: number,
): ReturnType<Sealpost['mail']['send']> {
  return sendEncrypted(from, [to], {
    subject,
    text: 'The survey is attached.\n',
    attachmentFiles: [
      { filename: 'survey.bin', contentType: 'application/octet-stream', path: file, size },
    ],
    openpgp: true,
  });
}

/** Opens the data folder of `user` in this process, runs `check` and closes it. */
export async function withStore<T>(
  user: TestUser,
  check: (sealpost: Sealpost) => Promise<T> | T,
): Promise<T> {
  const sealpost = await Sealpost.open(
    resolveDataPaths({ SEALPOST_HOME: user.home }),
    createSilentLogger(),
    { passphrase: user.passphrase, preferPassphrase: true, keychain: null },
  );
  try {
    return await check(sealpost);
  } finally {
    sealpost.close();
  }
}

/** Outcome of one run of large-receive-child.ts. */
export interface ChildRun {
  killed: boolean;
  /** The result from the child's "done" line, or null when it printed none (as after SIGKILL). */
  result: LargeReceiveResult | null;
  stderr: string;
}

/**
 * Runs large-receive-child.ts with `request`. With `killWhen`, polls it every 20 ms and sends
 * SIGKILL once it returns true.
 */
export function runLargeReceiveChild(
  request: LargeReceiveRequest,
  killWhen?: () => boolean,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    process_.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    process_.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const poll = killWhen
      ? setInterval(() => {
          if (!killed && killWhen()) {
            killed = true;
            process_.kill('SIGKILL');
          }
        }, 20)
      : null;
    process_.on('error', reject);
    process_.on('close', () => {
      if (poll) clearInterval(poll);
      const done = stdout.split('\n').find((line) => line.startsWith('done '));
      resolve({
        killed,
        result: done ? (JSON.parse(done.slice(5)) as LargeReceiveResult) : null,
        stderr,
      });
    });
  });
}
