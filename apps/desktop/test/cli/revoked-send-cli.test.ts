// `sealpost send` with a revoked key that is not replaced yet: the send and its dry run fail
// with OWN_KEY_REVOKED and the next step on standard error and exit code 1, and nothing is
// queued.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCliUser, runSealpost, type CliUser } from './cli-runner.ts';
import { uniqueAddress } from '../e2e/stack.ts';

describe('send with a revoked key', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-revoked-send-'));
  const user: CliUser = { address: uniqueAddress('revoked'), home: path.join(work, 'home') };
  const passphraseFile = path.join(work, 'passphrase');
  const unlock = ['--passphrase-file', passphraseFile];
  const cli = (args: string[], input?: string) =>
    runSealpost(user.home, [...unlock, ...args], input);
  const send = ['send', '--to', uniqueAddress('contact'), '--subject', 'Hello'];

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'revoked send passphrase\n');
    await addCliUser(user, work, unlock);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('fails before queuing and names the next step', async () => {
    const revoked = await cli(['key', 'revoke', '--address', user.address, '--yes']);
    expect(revoked.status).toBe(0);
    const nextStep = `sealpost key generate --replace-revoked --address ${user.address}`;

    const sent = await cli([...send, '--allow-plaintext'], 'Body.\n');
    expect(sent.status).toBe(1);
    expect(sent.stdout).toBe('');
    expect(sent.stderr).toMatch(/^sealpost: OWN_KEY_REVOKED: /);
    expect(sent.stderr).toContain(nextStep);
    expect(sent.stderr).not.toMatch(/Primary key/i);

    const dryRun = await cli([...send, '--dry-run']);
    expect(dryRun.status).toBe(1);
    expect(dryRun.stderr).toMatch(/^sealpost: OWN_KEY_REVOKED: /);
    expect(dryRun.stderr).toContain(nextStep);

    const outbox = await cli(['outbox', '--json']);
    expect(outbox.status).toBe(0);
    expect(JSON.parse(outbox.stdout)).toEqual([]);

    // After the replacement the plan is shown again.
    const replaced = await cli(['key', 'generate', '--address', user.address, '--replace-revoked']);
    expect(replaced.status).toBe(0);
    const planned = await cli([...send, '--dry-run']);
    expect(planned.stderr).toBe('');
    expect(planned.status).toBe(0);
  }, 300_000);
});
