// Ctrl-C (SIGINT) during `sealpost sync`: the command prints one line saying that fetched mail
// is stored and the next sync continues, exits with status 130, and the next sync does continue.
// The account's IMAP goes through a proxy on 127.0.0.1 that stalls, so the interrupt always
// arrives while sync waits for the server.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_SYNC_NOTE } from '../../src/cli/interrupted-sync.ts';
import { addCliAccount, deliverPlain, runSealpost } from './cli-runner.ts';
import type { CliResult } from './cli-runner.ts';
import { IMAP_STARTTLS_PORT, repositoryRoot, uniqueAddress } from '../e2e/stack.ts';
import { CuttingProxy } from '../sync/cutting-proxy.ts';

const cliEntry = path.join(repositoryRoot, 'apps/desktop/src/cli/main.ts');

describe('sync interrupted by SIGINT', { timeout: 300_000 }, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-sync-interrupt-'));
  const address = uniqueAddress('sync-interrupt');
  const home = path.join(work, 'home');
  const passphraseFile = path.join(work, 'passphrase');
  const unlock = ['--passphrase-file', passphraseFile];
  let proxy: CuttingProxy;

  /** Starts `sealpost sync` and sends it SIGINT once it has connected to the stalled proxy. */
  async function interruptedSync(): Promise<CliResult> {
    const connectionsBefore = proxy.connections;
    const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, 'sync', ...unlock], {
      cwd: repositoryRoot,
      env: { ...process.env, SEALPOST_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const closed = new Promise<number>((resolve) =>
      child.on('close', (status) => resolve(status ?? -1)),
    );
    while (proxy.connections === connectionsBefore && child.exitCode === null) await delay(50);
    child.kill('SIGINT');
    return { status: await closed, stdout, stderr };
  }

  beforeAll(async () => {
    proxy = await CuttingProxy.start(IMAP_STARTTLS_PORT, 11);
    writeFileSync(passphraseFile, 'sync interrupt passphrase\n');
    const added = await addCliAccount(home, address, work, unlock, { imapPort: proxy.port });
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
  });

  afterAll(async () => {
    await proxy?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('prints what is stored, then continues', async () => {
    await deliverPlain(address, 'Subject: Before the interrupt', 'First.\r\n');
    const first = await runSealpost(home, ['sync', ...unlock]);
    expect(first.stdout).toContain(`${address}: 1 new message\n`);

    await deliverPlain(address, 'Subject: After the interrupt', 'Second.\r\n');
    proxy.mode = { kind: 'stall' };
    const interrupted = await interruptedSync();
    expect(interrupted.stderr).toBe(`${INTERRUPTED_SYNC_NOTE}\n`);
    expect(interrupted.status).toBe(130);

    proxy.mode = { kind: 'pass' };
    const resumed = await runSealpost(home, ['sync', ...unlock]);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`${address}: 1 new message\n`);
  });
});
