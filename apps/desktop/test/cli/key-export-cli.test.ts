// `sealpost key export --secret` gives a key that GnuPG and a new Sealpost data folder unlock
// with the passphrase the command names: the Sealpost passphrase, or --key-passphrase-file.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSealpost as sealpost } from './cli-runner.ts';
import { uniqueAddress } from '../e2e/stack.ts';

describe('key export --secret', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-key-export-'));
  const address = uniqueAddress('export');
  const home = path.join(work, 'home');
  const passphraseFile = path.join(work, 'passphrase');
  const otherPassphraseFile = path.join(work, 'other-passphrase');
  const gnupgHomes: string[] = [];

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'sealpost export passphrase\n');
    writeFileSync(otherPassphraseFile, 'a different passphrase\n');
    const generated = await sealpost(home, [
      'key',
      'generate',
      '--address',
      address,
      '--passphrase-file',
      passphraseFile,
    ]);
    expect(generated.status).toBe(0);
  });

  afterAll(() => {
    for (const gnupgHome of gnupgHomes) {
      spawnSync('gpgconf', ['--kill', 'gpg-agent'], {
        env: { ...process.env, GNUPGHOME: gnupgHome },
      });
    }
    rmSync(work, { recursive: true, force: true });
  });

  /** Imports `keyFile` into a new GnuPG home and signs a file with `signPassphraseFile`. */
  function gpgSign(keyFile: string, signPassphraseFile: string): number {
    const gnupgHome = path.join(work, `gnupg-${gnupgHomes.length}`);
    mkdirSync(gnupgHome, { mode: 0o700 });
    gnupgHomes.push(gnupgHome);
    const env = { ...process.env, GNUPGHOME: gnupgHome };
    const loopback = ['--batch', '--pinentry-mode', 'loopback'];
    execFileSync(
      'gpg',
      [...loopback, '--passphrase-file', signPassphraseFile, '--import', keyFile],
      {
        env,
        stdio: 'pipe',
      },
    );
    const message = path.join(work, 'message.txt');
    writeFileSync(message, 'signed by the exported key\n');
    const signed = spawnSync(
      'gpg',
      [
        ...loopback,
        '--passphrase-file',
        signPassphraseFile,
        '--local-user',
        address,
        '--yes',
        '--detach-sign',
        '--output',
        `${message}.sig`,
        message,
      ],
      { env, stdio: 'pipe' },
    );
    return signed.status ?? 1;
  }

  /** Runs `key export --secret` of `address` into `keyFile`, with `extra` options. */
  function exportSecret(keyFile: string, extra: string[] = []) {
    return sealpost(home, [
      'key',
      'export',
      '--address',
      address,
      '--secret',
      ...extra,
      '--output',
      keyFile,
      '--passphrase-file',
      passphraseFile,
    ]);
  }

  it.each([
    {
      protection: 'the Sealpost passphrase',
      options: [] as string[],
      stderr: 'protected by your Sealpost passphrase',
      right: passphraseFile,
      wrong: otherPassphraseFile,
    },
    {
      protection: '--key-passphrase-file',
      options: ['--key-passphrase-file', otherPassphraseFile],
      stderr: `protected by the passphrase in ${otherPassphraseFile}`,
      right: otherPassphraseFile,
      wrong: passphraseFile,
    },
  ])('unlocks in GnuPG with $protection', async ({ options, stderr, right, wrong }) => {
    const keyFile = path.join(work, `secret-${gnupgHomes.length}.asc`);
    const exported = await exportSecret(keyFile, options);
    expect(exported.status).toBe(0);
    expect(exported.stderr).toContain(stderr);
    expect(readFileSync(keyFile, 'utf8')).toContain('-----BEGIN PGP PRIVATE KEY BLOCK-----');

    // Each GnuPG home gets its own agent, so a cached passphrase cannot hide a wrong one.
    expect(gpgSign(keyFile, wrong)).not.toBe(0);
    expect(gpgSign(keyFile, right)).toBe(0);
  });

  it('imports into a new data folder', async () => {
    const keyFile = path.join(work, 'secret-for-import.asc');
    expect((await exportSecret(keyFile)).status).toBe(0);

    const imported = await sealpost(path.join(work, 'new-home'), [
      'key',
      'import',
      keyFile,
      '--key-passphrase-file',
      passphraseFile,
      '--passphrase-file',
      otherPassphraseFile,
    ]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain(`Imported your secret key`);
    expect(imported.status).toBe(0);
  });

  it('writes a new secret key file 0600', async () => {
    const keyFile = path.join(work, 'secret-mode.asc');
    expect((await exportSecret(keyFile)).status).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it.each([['--secret'], ['--revocation']])('%s rejects an existing file', async (kind) => {
    const existing = path.join(work, `existing${kind}.asc`);
    writeFileSync(existing, 'old content\n', { mode: 0o644 });
    const exported = await sealpost(home, [
      'key',
      'export',
      '--address',
      address,
      kind,
      '--output',
      existing,
      '--passphrase-file',
      passphraseFile,
    ]);
    expect(exported.stderr).toContain(`${existing} already exists; choose a new file name.`);
    expect(exported.status).toBe(1);
    expect(readFileSync(existing, 'utf8')).toBe('old content\n');
  });

  it.each([[[] as string[]], [['--secret']], [['--revocation']]])(
    'names a missing output folder %j',
    async (kind) => {
      const missing = path.join(work, 'no-such-folder', 'key.asc');
      const exported = await sealpost(home, [
        'key',
        'export',
        '--address',
        address,
        ...kind,
        '--output',
        missing,
        '--passphrase-file',
        passphraseFile,
      ]);
      expect(exported.stderr).toContain('INVALID_ARGUMENT: Cannot write the ');
      expect(exported.stderr).toContain(
        `${missing}, because the folder ${path.dirname(missing)} does not exist`,
      );
      expect(exported.stderr).not.toContain('ENOENT');
      expect(exported.status).toBe(1);
    },
  );

  it('rejects --key-passphrase-file without --secret', async () => {
    const exported = await sealpost(home, [
      'key',
      'export',
      '--address',
      address,
      '--key-passphrase-file',
      otherPassphraseFile,
      '--passphrase-file',
      passphraseFile,
    ]);
    expect(exported.stderr).toContain('--key-passphrase-file needs --secret');
    expect(exported.status).toBe(1);
  });

  it('restores from shares with blank lines', async () => {
    const backupFile = path.join(work, 'backup.asc');
    const sharesDir = path.join(work, 'shares');
    const exported = await sealpost(home, [
      'key',
      'export',
      '--backup',
      backupFile,
      '--shares',
      '3',
      '--threshold',
      '2',
      '--output-dir',
      sharesDir,
      '--passphrase-file',
      passphraseFile,
    ]);
    expect(exported.status).toBe(0);
    const padded = path.join(work, 'share-padded.txt');
    writeFileSync(padded, `\n\n${readFileSync(path.join(sharesDir, 'share-1.txt'), 'utf8')}\n`);

    const restored = await sealpost(path.join(work, 'restored-home'), [
      'key',
      'import',
      '--backup',
      backupFile,
      '--share',
      padded,
      path.join(sharesDir, 'share-2.txt'),
      '--passphrase-file',
      otherPassphraseFile,
    ]);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toContain(`for ${address}`);
    expect(restored.status).toBe(0);
  });

  it('names the file of a bad share', async () => {
    const sharesDir = path.join(work, 'shares');
    const broken = path.join(work, 'share-typo.txt');
    const text = readFileSync(path.join(sharesDir, 'share-3.txt'), 'utf8').trim();
    // Changing one base32 character in the middle breaks the share's checksum. (The last
    // character can carry unused padding bits, so it is not the one changed.)
    const position = text.length - 10;
    const replacement = text[position] === 'A' ? 'B' : 'A';
    writeFileSync(broken, `${text.slice(0, position)}${replacement}${text.slice(position + 1)}\n`);
    const result = await sealpost(path.join(work, 'typo-home'), [
      'key',
      'import',
      '--backup',
      path.join(work, 'backup.asc'),
      '--share',
      path.join(sharesDir, 'share-1.txt'),
      broken,
      '--passphrase-file',
      otherPassphraseFile,
    ]);
    expect(result.stderr).toContain(`Share 2 (${broken})`);
    expect(result.status).toBe(1);
  });

  it('names the next step in key errors', async () => {
    const withPassphrase = ['--passphrase-file', passphraseFile];
    const interval = await sealpost(home, [
      'key',
      'rotate',
      '--interval-days',
      'abc',
      ...withPassphrase,
    ]);
    expect(interval.stderr).toContain("'--interval-days <days>' argument 'abc' is invalid");
    expect(interval.stderr).toContain('such as 3. See "sealpost --help".');
    expect(interval.stderr).not.toContain('.;');
    expect(interval.status).toBe(1);

    const missingFolder = path.join(work, 'no-such-folder', 'backup.asc');
    const backup = await sealpost(home, [
      'key',
      'export',
      '--backup',
      missingFolder,
      ...withPassphrase,
    ]);
    expect(backup.stderr).toContain(`Cannot write the backup file ${missingFolder}`);
    expect(backup.stderr).toContain('choose a path in a folder that exists');
    expect(backup.status).toBe(1);

    const backupFile = path.join(work, 'backup.asc');
    const asKey = await sealpost(home, ['key', 'import', backupFile, ...withPassphrase]);
    expect(asKey.stderr).toContain(`sealpost key import --backup ${backupFile}`);
    expect(asKey.status).toBe(1);

    const revocation = await sealpost(path.join(work, 'restored-home'), [
      'key',
      'export',
      '--address',
      address,
      '--revocation',
      '--passphrase-file',
      otherPassphraseFile,
    ]);
    expect(revocation.stderr).toContain(`sealpost key revoke --address ${address} --yes`);
    expect(revocation.status).toBe(1);
  });

  it.each([
    ['no bytes', 'key-empty.asc', ''],
    ['only whitespace', 'key-blank.asc', '\n  \r\n\t\n'],
  ])('import names an empty key file (%s)', async (_content, name, content) => {
    const keyFile = path.join(work, name);
    writeFileSync(keyFile, content);
    const imported = await sealpost(home, [
      'key',
      'import',
      keyFile,
      '--passphrase-file',
      passphraseFile,
    ]);
    expect(imported.stderr).toContain(`INVALID_ARGUMENT: The key file ${keyFile} is empty;`);
    expect(imported.stderr).toContain('an OpenPGP certificate or secret key');
    expect(imported.stderr).not.toContain('Certificates is empty');
    expect(imported.status).toBe(1);
  });

  it('requires a key passphrase in keychain mode', async () => {
    // Without --passphrase-file a new data folder keeps its keys in the test run's keychain.
    const keychainHome = path.join(work, 'keychain-home');
    const keychainAddress = uniqueAddress('keychain');
    const generated = await sealpost(keychainHome, [
      'key',
      'generate',
      '--address',
      keychainAddress,
    ]);
    expect(generated.status).toBe(0);

    const rejected = await sealpost(keychainHome, [
      'key',
      'export',
      '--address',
      keychainAddress,
      '--secret',
    ]);
    expect(rejected.stderr).toContain('PASSPHRASE_REQUIRED');
    expect(rejected.stderr).toContain('--key-passphrase-file FILE');
    expect(rejected.stdout).toBe('');
    expect(rejected.status).toBe(1);

    const keyFile = path.join(work, 'keychain-secret.asc');
    const exported = await sealpost(keychainHome, [
      'key',
      'export',
      '--address',
      keychainAddress,
      '--secret',
      '--key-passphrase-file',
      otherPassphraseFile,
      '--output',
      keyFile,
    ]);
    expect(exported.status).toBe(0);
    const imported = await sealpost(path.join(work, 'keychain-import-home'), [
      'key',
      'import',
      keyFile,
      '--key-passphrase-file',
      otherPassphraseFile,
      '--passphrase-file',
      passphraseFile,
    ]);
    expect(imported.stdout).toContain(`for ${keychainAddress}`);
    expect(imported.status).toBe(0);
  });
});
