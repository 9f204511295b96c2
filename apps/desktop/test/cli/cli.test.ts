// The sealpost command as a script uses it: secrets from files, JSON output, and one error
// line with a stable code and exit status 1 on failure.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCliUser, runSealpost as sealpost, shareCliCertificate } from './cli-runner.ts';
import { uniqueAddress } from '../e2e/stack.ts';

describe('sealpost command', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-cli-'));
  const alice = { address: uniqueAddress('alice'), home: path.join(work, 'alice') };
  const bob = { address: uniqueAddress('bob'), home: path.join(work, 'bob') };
  const passphraseFile = path.join(work, 'passphrase');

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'cli test passphrase\n');
    await addCliUser(alice, work, ['--passphrase-file', passphraseFile]);
    await addCliUser(bob, work, ['--passphrase-file', passphraseFile]);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('sends and reads an encrypted message', async () => {
    await shareCliCertificate(bob, alice, work, ['--passphrase-file', passphraseFile]);

    const sent = await sealpost(
      alice.home,
      [
        'send',
        '--to',
        bob.address,
        '--subject',
        'Über den Plan',
        '--passphrase-file',
        passphraseFile,
      ],
      'Body from standard input.\n',
    );
    expect(sent.stdout).toMatch(/Mode: encrypted \(OpenPGP, post-quantum/);
    expect(sent.status).toBe(0);

    expect((await sealpost(bob.home, ['sync', '--passphrase-file', passphraseFile])).status).toBe(
      0,
    );
    const listed = JSON.parse(
      (await sealpost(bob.home, ['list', '--json', '--passphrase-file', passphraseFile])).stdout,
    ) as Array<{
      id: number;
      encrypted: boolean;
    }>;
    expect(listed).toHaveLength(1);
    expect(listed[0]!.encrypted).toBe(true);

    const read = await sealpost(bob.home, [
      'read',
      String(listed[0]!.id),
      '--json',
      '--passphrase-file',
      passphraseFile,
    ]);
    const message = JSON.parse(read.stdout) as {
      subject: string;
      text: string;
      signatures: Array<{ status: string; signerMatchesFrom: boolean }>;
    };
    expect(message.subject).toBe('Über den Plan');
    expect(message.text).toContain('Body from standard input.');
    expect(message.signatures[0]).toMatchObject({ status: 'valid', signerMatchesFrom: true });
  });

  it('prints one error line with a code and exits 1', async () => {
    const result = await sealpost(
      alice.home,
      [
        'send',
        '--to',
        'nobody@sealpost.test',
        '--subject',
        'x',
        '--passphrase-file',
        passphraseFile,
      ],
      'x',
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^sealpost: RECIPIENT_KEY_MISSING: No key is known for nobody@sealpost\.test\./,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rejects a wrong passphrase with INVALID_PASSPHRASE', async () => {
    const wrong = path.join(work, 'wrong');
    writeFileSync(wrong, 'not the passphrase\n');
    const result = await sealpost(alice.home, ['sync', '--passphrase-file', wrong]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^sealpost: INVALID_PASSPHRASE: /);
    expect(result.stderr).toContain(`The passphrase in --passphrase-file ${wrong} does not unlock`);
  });

  it('rejects a bad port before connecting', async () => {
    const result = await sealpost(alice.home, [
      'account',
      'add',
      '--email',
      'x@sealpost.test',
      '--imap-host',
      '127.0.0.1',
      '--imap-port',
      '99999',
      '--smtp-host',
      '127.0.0.1',
      '--password-file',
      passphraseFile,
      '--passphrase-file',
      passphraseFile,
    ]);
    expect(result.stderr).toMatch(
      /^sealpost: INVALID_ARGUMENT: --imap-port 99999 is not a port number/,
    );
    expect(result.status).toBe(1);
  });
});
