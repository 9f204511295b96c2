// `sealpost key generate --replace-revoked`: after `key revoke`, the same data folder makes a
// new key for the address, and a plain `key generate` names that option.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCliUser, runSealpost, type CliUser } from './cli-runner.ts';
import { uniqueAddress } from '../e2e/stack.ts';

describe('key generate --replace-revoked', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-key-replace-'));
  const user: CliUser = { address: uniqueAddress('replace'), home: path.join(work, 'home') };
  const passphraseFile = path.join(work, 'passphrase');
  const unlock = ['--passphrase-file', passphraseFile];
  const cli = (args: string[]) => runSealpost(user.home, [...unlock, ...args]);

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'key replace passphrase\n');
    await addCliUser(user, work, unlock);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('replaces a revoked key', async () => {
    const notRevoked = await cli([
      'key',
      'generate',
      '--address',
      user.address,
      '--replace-revoked',
    ]);
    expect(notRevoked.status).toBe(1);
    expect(notRevoked.stderr).toMatch(/^sealpost: KEY_NOT_REVOKED: .*key revoke/);

    const before = JSON.parse((await cli(['key', 'list', '--json'])).stdout) as Array<{
      fingerprint: string;
    }>;
    const unconfirmed = await cli(['key', 'revoke', '--address', user.address]);
    expect(unconfirmed.status).toBe(1);
    expect(unconfirmed.stderr).toMatch(/^sealpost: CONFIRMATION_REQUIRED: .*Add --yes to confirm/);
    const stillValid = await cli([
      'key',
      'generate',
      '--address',
      user.address,
      '--replace-revoked',
    ]);
    expect(stillValid.stderr).toMatch(/^sealpost: KEY_NOT_REVOKED: /);

    const revoked = await cli(['key', 'revoke', '--address', user.address, '--yes']);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toContain('--replace-revoked');

    const plain = await cli(['key', 'generate', '--address', user.address]);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain(`key generate --address ${user.address} --replace-revoked`);

    const replaced = await cli(['key', 'generate', '--address', user.address, '--replace-revoked']);
    expect(replaced.stderr).toBe('');
    expect(replaced.status).toBe(0);
    expect(replaced.stdout).toMatch(/in place of the revoked/);

    const after = JSON.parse((await cli(['key', 'list', '--json'])).stdout) as Array<{
      fingerprint: string;
    }>;
    expect(after).toHaveLength(1);
    expect(after[0]!.fingerprint).not.toBe(before[0]!.fingerprint);
  }, 300_000);
});
