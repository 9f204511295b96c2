// `sealpost list` with two accounts in one data folder: messages of both accounts are listed
// newest first by the time the server received them, and each row names its account.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCliAccount, addCliUser, deliverPlain, runSealpost } from './cli-runner.ts';
import { uniqueAddress } from '../e2e/stack.ts';

describe('list with two accounts', { timeout: 300_000 }, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-list-accounts-'));
  const first = { address: uniqueAddress('list-first'), home: path.join(work, 'home') };
  const second = uniqueAddress('list-second');
  const passphraseFile = path.join(work, 'passphrase');
  const sealpost = (args: string[]) =>
    runSealpost(first.home, [...args, '--passphrase-file', passphraseFile]);

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'list accounts passphrase\n');
    await addCliUser(first, work, ['--passphrase-file', passphraseFile]);
    const added = await addCliAccount(first.home, second, work, [
      '--passphrase-file',
      passphraseFile,
    ]);
    expect(added.status).toBe(0);

    // The first account's message reaches the server first; INTERNALDATE has 1 s resolution.
    await deliverPlain(first.address, 'Subject: Older, first account', 'Older.\r\n');
    await delay(1_500);
    await deliverPlain(second, 'Subject: Newer, second account', 'Newer.\r\n');
    expect((await sealpost(['sync'])).status).toBe(0);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('sorts across accounts, newest first', async () => {
    const listed = await sealpost(['list', '--json']);
    expect(listed.status).toBe(0);
    const messages = JSON.parse(listed.stdout) as { account: string; subject: string }[];
    expect(messages.map((message) => message.subject)).toEqual([
      'Newer, second account',
      'Older, first account',
    ]);
    expect(messages.map((message) => message.account)).toEqual([second, first.address]);
  });

  it('shows the account column', async () => {
    const listed = await sealpost(['list']);
    expect(listed.status).toBe(0);
    const rows = listed.stdout.trim().split('\n');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.split('\t')[2]).toBe(second);
    expect(rows[1]!.split('\t')[2]).toBe(first.address);

    const oneAccount = await sealpost(['list', '--account', second]);
    expect(oneAccount.stdout).not.toContain(second);
  });
});
