// `sealpost account add` on a new data folder as a script runs it: a failed first login leaves
// no keystore or database behind, so the passphrase given with it is not fixed yet, and
// connection errors name the underlying cause.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addCliAccount, type CliAccountOptions } from './cli-runner.ts';
import { stackPassword, uniqueAddress } from '../e2e/stack.ts';

/** Returns a 127.0.0.1 port that nothing listens on: bound once, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('account add on a new data folder', { timeout: 120_000 }, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-account-add-'));
  const passphraseFile = path.join(work, 'passphrase');
  writeFileSync(passphraseFile, 'account add passphrase\n');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const addAccount = (
    home: string,
    address: string,
    password: string,
    options: CliAccountOptions = {},
  ) =>
    addCliAccount(home, address, work, ['--passphrase-file', passphraseFile], {
      ...options,
      password,
    });

  it('wrong password creates no data folder', async () => {
    const address = uniqueAddress('add-wrong');
    const home = path.join(work, 'wrong-password');
    const failed = await addAccount(home, address, 'not the password');
    expect(failed.status).toBe(1);
    expect(existsSync(path.join(home, 'keystore.json'))).toBe(false);
    expect(existsSync(path.join(home, 'sealpost.db'))).toBe(false);
    expect(existsSync(home)).toBe(false);

    const added = await addAccount(home, address, stackPassword(address));
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(existsSync(path.join(home, 'keystore.json'))).toBe(true);
  });

  it('wrong password keeps an empty folder empty', async () => {
    const address = uniqueAddress('add-empty');
    const home = path.join(work, 'empty-folder');
    mkdirSync(home);
    const failed = await addAccount(home, address, 'not the password');
    expect(failed.status).toBe(1);
    expect(existsSync(path.join(home, 'keystore.json'))).toBe(false);
    expect(existsSync(path.join(home, 'sealpost.db'))).toBe(false);
  });

  it('closed SMTP port names ECONNREFUSED', async () => {
    const address = uniqueAddress('add-closed');
    const home = path.join(work, 'closed-smtp');
    const failed = await addAccount(home, address, stackPassword(address), {
      smtpPort: await closedPort(),
    });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('ECONNREFUSED');
    expect(failed.stderr).not.toContain('ESOCKET');
  });

  it.each(['imap', 'smtp'] as const)(
    'tls on a STARTTLS %s port hints starttls',
    async (protocol) => {
      const address = uniqueAddress(`add-tls-${protocol}`);
      const home = path.join(work, `tls-${protocol}`);
      const security = protocol === 'imap' ? { imapSecurity: 'tls' } : { smtpSecurity: 'tls' };
      const failed = await addAccount(home, address, stackPassword(address), security);
      expect(failed.status).toBe(1);
      expect(failed.stderr).toContain('ERR_SSL_WRONG_VERSION_NUMBER');
      expect(failed.stderr).toContain(
        `the server may expect STARTTLS on this port, so try --${protocol}-security starttls`,
      );
    },
  );
});
