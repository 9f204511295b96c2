// `sealpost sync` with the SMTP server unreachable: the send error of each unsent outbox entry
// is printed with the retry command, and the command exits with status 1 instead of reporting
// only the fetched mail.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCliUser, runSealpost } from './cli-runner.ts';
import { uniqueAddress } from '../e2e/stack.ts';
import { SmtpProxy } from './smtp-proxy.ts';

describe('sync with SMTP unreachable', { timeout: 180_000 }, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-sync-outbox-'));
  const user = { address: uniqueAddress('sync-outbox'), home: path.join(work, 'user') };
  const passphraseFile = path.join(work, 'passphrase');
  const proxy = new SmtpProxy();
  const sealpost = (args: string[], input?: string) =>
    runSealpost(user.home, [...args, '--passphrase-file', passphraseFile], input);

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'sync outbox passphrase\n');
    await addCliUser(user, work, ['--passphrase-file', passphraseFile], await proxy.listen());
    await proxy.close();
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('names the unsent entry and fails', async () => {
    const sent = await sealpost(
      ['send', '--to', user.address, '--subject', 'Waiting in the outbox'],
      'Body.\n',
    );
    expect(sent.status).toBe(1);
    const id = /outbox entry (\d+)/.exec(sent.stderr)?.[1];
    expect(id).toBeDefined();

    const synced = await sealpost(['sync']);
    expect(synced.stdout).toContain(`${user.address}: 0 new messages`);
    expect(synced.stderr).toContain(`Outbox entry ${id} to ${user.address} was not sent`);
    expect(synced.stderr).toContain('ECONNREFUSED');
    expect(synced.stderr).toContain(`"sealpost outbox retry ${id}"`);
    expect(synced.status).toBe(1);
  });
});
