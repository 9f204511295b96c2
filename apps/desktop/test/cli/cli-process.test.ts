// The sealpost command as a process: a closed output pipe, the directory pnpm was started
// from, and Ctrl-C (SIGINT) during a send, which must report whether the message is queued.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCliUser } from './cli-runner.ts';
import { repositoryRoot, uniqueAddress } from '../e2e/stack.ts';
import { SmtpProxy } from './smtp-proxy.ts';
import type { CliResult } from './cli-runner.ts';

const cliEntry = path.join(repositoryRoot, 'apps/desktop/src/cli/main.ts');

interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Closes the read end of the child's standard output before the child writes to it. */
  closeStdout?: boolean;
  /** Called once the child runs, for example to send it a signal later. */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
}

/** Runs the CLI like cli-runner, with control over standard output, environment and signals. */
function spawnSealpost(
  home: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, SEALPOST_HOME: home, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  if (options.closeStdout) child.stdout.destroy();
  else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end('Message text.\n');
  options.onSpawn?.(child);
  return new Promise((resolve) => {
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

describe('sealpost process behaviour', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-cli-process-'));
  const alice = { address: uniqueAddress('interrupt'), home: path.join(work, 'alice') };
  const passphraseFile = path.join(work, 'passphrase');
  const proxy = new SmtpProxy();

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'cli process passphrase\n');
    const proxyPort = await proxy.listen();
    await addCliUser(alice, work, ['--passphrase-file', passphraseFile], proxyPort);
  });

  afterAll(async () => {
    await proxy.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('ends quietly when stdout is closed', async () => {
    const result = await spawnSealpost(
      alice.home,
      ['key', 'export', '--address', alice.address, '--passphrase-file', passphraseFile],
      { closeStdout: true },
    );
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('resolves paths against INIT_CWD', async () => {
    const invocationDirectory = path.join(work, 'invoked-here');
    mkdirSync(invocationDirectory);
    const fileName = `certificate-${path.basename(work)}.asc`;
    const result = await spawnSealpost(
      alice.home,
      [
        'key',
        'export',
        '--address',
        alice.address,
        '--output',
        fileName,
        '--passphrase-file',
        passphraseFile,
      ],
      { env: { INIT_CWD: invocationDirectory, npm_lifecycle_event: 'sealpost' } },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(existsSync(path.join(invocationDirectory, fileName))).toBe(true);
    expect(existsSync(path.join(repositoryRoot, fileName))).toBe(false);
  });

  it('reports a queued message on SIGINT', async () => {
    proxy.stalled = true;
    try {
      const result = await spawnSealpost(
        alice.home,
        [
          'send',
          '--to',
          alice.address,
          '--subject',
          'Interrupted',
          '--passphrase-file',
          passphraseFile,
        ],
        {
          onSpawn: (child) => {
            // The outbox stores the message before it connects to the server, so a stalled
            // connection means the message is stored.
            proxy.onStalledConnection = () => child.kill('SIGINT');
          },
        },
      );
      expect(result.stderr).toMatch(/queued in the outbox \(entry \d+\)/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.status).toBe(130);
    } finally {
      proxy.stalled = false;
      proxy.onStalledConnection = null;
    }
  });

  it('exits 0 after a send with stdout closed', async () => {
    const result = await spawnSealpost(
      alice.home,
      ['send', '--to', alice.address, '--subject', 'Piped', '--passphrase-file', passphraseFile],
      { closeStdout: true },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
