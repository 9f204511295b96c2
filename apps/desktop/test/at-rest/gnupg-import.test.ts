// Secret keys exported by GnuPG 2.2: a plain export and one with Trust packets
// (--export-options backup) and an expired encryption subkey. After import, Sealpost decrypts
// what gpg encrypted to the key, including a message to the expired subkey, and gpg verifies
// what Sealpost signs.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { decryptAndVerify, readCertificate, signDetached } from '@sealpost/crypto-core';
import { localAddress, makeDataFolder } from './helpers.ts';
import type { DataFolder } from './helpers.ts';

const GPG_PASSPHRASE = 'gpg secret passphrase';
const gpgHome = mkdtempSync(path.join(os.tmpdir(), 'sealpost-gpg-import-'));

function gpg(args: string[], input?: string | Uint8Array): { stdout: Buffer; stderr: string } {
  const result = spawnSync(
    'gpg',
    [
      '--homedir',
      gpgHome,
      '--batch',
      '--no-tty',
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      GPG_PASSPHRASE,
      '--trust-model',
      'always',
      ...args,
    ],
    { input, timeout: 60_000 },
  );
  if (result.status !== 0) {
    throw new Error(`gpg ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  }
  return { stdout: result.stdout, stderr: result.stderr.toString('utf8') };
}

function fingerprintOf(address: string): string {
  const listing = gpg(['--with-colons', '--list-keys', address]).stdout.toString('utf8');
  return listing
    .split('\n')
    .find((line) => line.startsWith('fpr:'))!
    .split(':')[9]!;
}

/** A GnuPG key created in 2020, with a subkey that expired in 2020 and a current one. */
function makeGpgKeyWithExpiredSubkey(address: string): string {
  gpg([
    '--faked-system-time',
    '20200101T000000',
    '--quick-gen-key',
    address,
    'ed25519',
    'sign,cert',
    'never',
  ]);
  const fingerprint = fingerprintOf(address);
  gpg([
    '--faked-system-time',
    '20200102T000000',
    '--quick-add-key',
    fingerprint,
    'cv25519',
    'encr',
    '1d',
  ]);
  gpg(['--quick-add-key', fingerprint, 'cv25519', 'encr', 'never']);
  return fingerprint;
}

let folders: DataFolder[] = [];
afterEach(() => {
  for (const created of folders) created.remove();
  folders = [];
});
afterAll(() => {
  spawnSync('gpgconf', ['--homedir', gpgHome, '--kill', 'all']);
  rmSync(gpgHome, { recursive: true, force: true });
});

describe('GnuPG secret key import', () => {
  it('imports a plain export and works both ways', async () => {
    const address = localAddress('gpg-plain');
    gpg(['--quick-gen-key', address, 'ed25519', 'sign,cert', 'never']);
    const fingerprint = fingerprintOf(address);
    gpg(['--quick-add-key', fingerprint, 'cv25519', 'encr', 'never']);
    const exported = gpg(['--export-secret-keys', fingerprint]).stdout;

    const data = makeDataFolder();
    folders.push(data);
    const sealpost = await data.open();
    const [result] = await sealpost.keys.import(exported, {
      keyPassphrase: GPG_PASSPHRASE,
      replacePinned: false,
    });
    expect(result?.kind).toBe('secret-key');
    expect(result?.fingerprint.toUpperCase()).toBe(fingerprint);

    const encrypted = gpg(['--armor', '--encrypt', '--recipient', address], 'from gpg').stdout;
    const keys = await sealpost.keys.unlockAll();
    try {
      const decrypted = await decryptAndVerify({
        message: encrypted,
        decryptionKeys: keys,
        verificationCertificates: [],
      });
      expect(new TextDecoder().decode(decrypted.data)).toBe('from gpg');
    } finally {
      for (const key of keys) key.clear();
    }

    const signingKey = await sealpost.keys.unlock(address);
    const payload = new TextEncoder().encode('signed by sealpost');
    let signature: string;
    try {
      signature = await signDetached({ data: payload, signingKey });
    } finally {
      signingKey.clear();
    }
    const dataFile = path.join(gpgHome, 'signed.txt');
    const signatureFile = path.join(gpgHome, 'signed.txt.asc');
    writeFileSync(dataFile, payload);
    writeFileSync(signatureFile, signature);
    const verified = gpg(['--status-fd', '1', '--verify', signatureFile, dataFile]);
    expect(verified.stdout.toString('utf8')).toMatch(new RegExp(`VALIDSIG ${fingerprint}`));
    sealpost.close();
  });

  it('imports Trust packets and an expired subkey', async () => {
    const address = localAddress('gpg-backup');
    const fingerprint = makeGpgKeyWithExpiredSubkey(address);
    const exported = gpg([
      '--armor',
      '--export-options',
      'backup',
      '--export-secret-keys',
      fingerprint,
    ]).stdout;
    const packets = spawnSync('gpg', ['--list-packets'], { input: exported }).stdout.toString(
      'utf8',
    );
    expect(packets).toMatch(/trust packet/i);

    // Encrypted while the first subkey was valid, as an old message in the mailbox would be.
    const toExpired = gpg(
      ['--faked-system-time', '20200102T120000', '--armor', '--encrypt', '--recipient', address],
      'to the expired subkey',
    ).stdout;
    const toCurrent = gpg(
      ['--armor', '--encrypt', '--recipient', address],
      'to the current subkey',
    ).stdout;

    const data = makeDataFolder();
    folders.push(data);
    const sealpost = await data.open();
    await sealpost.keys.import(exported, { keyPassphrase: GPG_PASSPHRASE, replacePinned: false });
    const certificate = await readCertificate(sealpost.keys.exportCertificate(address));
    expect(certificate.hasEncryptionSubkey).toBe(true);

    const keys = await sealpost.keys.unlockAll();
    try {
      for (const [message, text] of [
        [toExpired, 'to the expired subkey'],
        [toCurrent, 'to the current subkey'],
      ] as const) {
        const decrypted = await decryptAndVerify({
          message,
          decryptionKeys: keys,
          verificationCertificates: [],
        });
        expect(new TextDecoder().decode(decrypted.data)).toBe(text);
      }
    } finally {
      for (const key of keys) key.clear();
    }
    const operations = sealpost.audit.list().map((entry) => entry.operation);
    expect(operations).toContain('import');
    sealpost.close();
  });

  it('rejects a wrong GnuPG passphrase and stores nothing', async () => {
    const address = localAddress('gpg-wrong');
    gpg(['--quick-gen-key', address, 'ed25519', 'sign,cert', 'never']);
    const fingerprint = fingerprintOf(address);
    gpg(['--quick-add-key', fingerprint, 'cv25519', 'encr', 'never']);
    const exported = gpg(['--export-secret-keys', fingerprint]).stdout;

    const data = makeDataFolder();
    folders.push(data);
    const sealpost = await data.open();
    const error = await sealpost.keys
      .import(exported, { keyPassphrase: 'not the passphrase', replacePinned: false })
      .catch((failure: unknown) => failure);
    expect((error as { code?: string }).code).toBe('INVALID_PASSPHRASE');
    expect(sealpost.keys.list()).toEqual([]);
    sealpost.close();
  });

  it('asks for a missing key passphrase', async () => {
    const address = localAddress('gpg-none');
    gpg(['--quick-gen-key', address, 'ed25519', 'sign,cert', 'never']);
    const fingerprint = fingerprintOf(address);
    gpg(['--quick-add-key', fingerprint, 'cv25519', 'encr', 'never']);
    const exported = gpg(['--export-secret-keys', fingerprint]).stdout;

    const data = makeDataFolder();
    folders.push(data);
    const sealpost = await data.open();
    const error = (await sealpost.keys
      .import(exported, { keyPassphrase: null, replacePinned: false })
      .catch((failure: unknown) => failure)) as { code?: string; message?: string };
    expect(error.code).toBe('PASSPHRASE_REQUIRED');
    expect(error.message).toContain('none was given');
    expect(error.message).toContain('--key-passphrase-file FILE');
    expect(error.message).not.toContain('wrong');
    expect(sealpost.keys.list()).toEqual([]);
    sealpost.close();
  });

  it.each([
    ['no bytes', ''],
    ['only whitespace', '\n \r\n\t'],
  ])('rejects empty key data (%s)', async (_content, content) => {
    const data = makeDataFolder();
    folders.push(data);
    const sealpost = await data.open();
    const error = (await sealpost.keys
      .import(new TextEncoder().encode(content), { keyPassphrase: null, replacePinned: false })
      .catch((failure: unknown) => failure)) as { code?: string; message?: string };
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('The key data is empty; pass an OpenPGP certificate');
    expect(error.message).not.toContain('Certificates');
    expect(sealpost.keys.list()).toEqual([]);
    sealpost.close();
  });
});
