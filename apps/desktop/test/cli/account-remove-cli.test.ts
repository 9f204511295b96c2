// `sealpost account remove` as a script runs it: adding an existing account names the remove
// command, removal asks for --yes, and it deletes the account and its local mail but keeps the
// key, so the account can be added again.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCliAccount, addCliUser, deliverPlain, runSealpost } from './cli-runner.ts';
import { uniqueAddress } from '../e2e/stack.ts';

describe('account remove on the command line', { timeout: 300_000 }, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-account-remove-'));
  const user = { address: uniqueAddress('remove'), home: path.join(work, 'user') };
  const passphraseFile = path.join(work, 'passphrase');
  const sealpost = (args: string[]) =>
    runSealpost(user.home, [...args, '--passphrase-file', passphraseFile]);

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'account remove passphrase\n');
    await addCliUser(user, work, ['--passphrase-file', passphraseFile]);
    await deliverPlain(user.address, 'Subject: Kept on the server', 'Still on the server.\r\n');
    expect((await sealpost(['sync'])).status).toBe(0);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('add of an existing account names remove', async () => {
    const again = await runSealpost(user.home, [
      'account',
      'add',
      '--email',
      user.address,
      '--imap-host',
      '127.0.0.1',
      '--smtp-host',
      '127.0.0.1',
      '--password-file',
      passphraseFile,
      '--passphrase-file',
      passphraseFile,
    ]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`"sealpost account remove --address ${user.address} --yes"`);
  });

  it('remove asks for --yes', async () => {
    const unconfirmed = await sealpost(['account', 'remove', '--address', user.address]);
    expect(unconfirmed.status).toBe(1);
    expect(unconfirmed.stderr).toMatch(/^sealpost: CONFIRMATION_REQUIRED: Removing /);
    expect(unconfirmed.stderr).toContain('Add --yes to confirm.');
    const listed = await sealpost(['account', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
  });

  it('remove keeps the key and server mail', async () => {
    const removed = await sealpost(['account', 'remove', '--address', user.address, '--yes']);
    expect(removed.stderr).toBe('');
    expect(removed.status).toBe(0);
    expect(removed.stdout).toContain(`Removed account ${user.address}`);

    const listed = await sealpost(['account', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    const keys = await sealpost(['key', 'list']);
    expect(keys.stdout).toContain(user.address);

    const unknown = await sealpost(['account', 'remove', '--address', user.address, '--yes']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^sealpost: ACCOUNT_NOT_FOUND: /);

    // Adding the account again finds the message that stayed on the server.
    const added = await addCliAccount(user.home, user.address, work, [
      '--passphrase-file',
      passphraseFile,
    ]);
    expect(added.status).toBe(0);
    expect(added.stdout).not.toContain('Next: create a key');
    expect((await sealpost(['sync'])).status).toBe(0);
    const messages = await sealpost(['list', '--json']);
    const subjects = (JSON.parse(messages.stdout) as { subject: string }[]).map((m) => m.subject);
    expect(subjects).toEqual(['Kept on the server']);
  });

  it('help states what remove keeps', async () => {
    const help = await runSealpost(user.home, ['account', 'remove', '--help']);
    expect(help.status).toBe(0);
    const text = help.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('keeps your keys and contacts');
    expect(text).toContain('never deletes mail on the server');
  });
});
