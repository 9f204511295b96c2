// Recovery-code backups: a Sealpost round trip that keeps the post-quantum subkey, GnuPG 2.2
// decrypting the backup and using the keys, and clear errors that change nothing stored for a
// wrong or malformed code, a corrupt file and a locked keychain.

import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { decryptAndVerify, encryptAndSignWithPlan, readCertificate } from '@sealpost/crypto-core';
import { OsKeychain } from '../../src/core/keystore/keychain.ts';
import { normalizeRecoveryCode, RECOVERY_CODE_DIGITS } from '../../src/core/backup.ts';
import { createGnuPg } from '../e2e/gnupg.ts';
import { startSecretService } from '../../../../test/keyring-setup.ts';
import { localAddress, makeDataFolder } from './helpers.ts';
import type { DataFolder } from './helpers.ts';

let folders: DataFolder[] = [];
function folder(): DataFolder {
  const created = makeDataFolder();
  folders.push(created);
  return created;
}
afterEach(() => {
  for (const created of folders) created.remove();
  folders = [];
});

/** A folder with two identities and a backup of them. */
async function backedUpFolder() {
  const data = folder();
  const sealpost = await data.open();
  const alice = localAddress('alice');
  const bob = localAddress('bob');
  await sealpost.keys.generate({ address: alice, name: 'Alice' });
  await sealpost.keys.generate({ address: bob, name: null });
  const backup = await sealpost.keys.exportBackup();
  const certificates = [
    sealpost.keys.exportCertificate(alice),
    sealpost.keys.exportCertificate(bob),
  ];
  sealpost.close();
  return { alice, bob, backup, certificates, bytes: new TextEncoder().encode(backup.armored) };
}

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

describe('recovery code', () => {
  it('has 40 digits in groups of four', async () => {
    const { backup } = await backedUpFolder();
    expect(backup.recoveryCode).toMatch(/^\d{4}(-\d{4}){9}$/);
    expect(RECOVERY_CODE_DIGITS * Math.log2(10)).toBeGreaterThanOrEqual(128);
    expect(backup.armored).toContain('-----BEGIN PGP MESSAGE-----');
  });

  it('accepts spaces and rejects a wrong length', () => {
    const code = '1234 5678 9012 3456 7890 1234 5678 9012 3456 7890';
    expect(normalizeRecoveryCode(code)).toBe('1234-5678-9012-3456-7890-1234-5678-9012-3456-7890');
    expect(() => normalizeRecoveryCode(code.slice(0, -1))).toThrow(/40 digits/);
    expect(() => normalizeRecoveryCode(code.replace('1', 'l'))).toThrow(/non-digits/);
  });
});

describe('backup round trip', () => {
  it('restores every key with its post-quantum subkey', async () => {
    const { alice, bob, backup, certificates, bytes } = await backedUpFolder();
    const aliceCertificate = await readCertificate(certificates[0]!);
    expect(aliceCertificate.hasPostQuantumSubkey).toBe(true);

    const target = folder();
    const restoredInto = await target.open();
    const restored = await restoredInto.keys.importBackup(bytes, backup.recoveryCode);
    expect(restored.map((entry) => entry.outcome)).toEqual(['restored', 'restored']);
    expect(restoredInto.keys.list().map((identity) => identity.address)).toEqual([alice, bob]);

    const restoredCertificate = await readCertificate(restoredInto.keys.exportCertificate(alice));
    expect(restoredCertificate.fingerprint).toBe(aliceCertificate.fingerprint);
    expect(restoredCertificate.postQuantumSubkeyFingerprint).toBe(
      aliceCertificate.postQuantumSubkeyFingerprint,
    );

    // A post-quantum message to alice decrypts with the restored key.
    const { message, plan } = await encryptAndSignWithPlan({
      data: new TextEncoder().encode('after restore'),
      recipientCertificates: [certificates[0]!],
      encryptToSigner: false,
      mode: 'pq',
    });
    expect(plan.mode).toBe('pq');
    const keys = await restoredInto.keys.unlockAll();
    try {
      const result = await decryptAndVerify({
        message,
        decryptionKeys: keys,
        verificationCertificates: [],
      });
      expect(new TextDecoder().decode(result.data)).toBe('after restore');
      expect(result.decryptedWith.postQuantum).toBe(true);
    } finally {
      for (const key of keys) key.clear();
    }

    const operations = restoredInto.audit.list().map((entry) => entry.operation);
    expect(operations.filter((operation) => operation === 'backup-import')).toHaveLength(2);
    expect(restoredInto.audit.verify().entries).toBeGreaterThan(0);
    restoredInto.close();
  });

  it('skips keys already present', async () => {
    const { backup, bytes } = await backedUpFolder();
    const target = folder();
    const sealpost = await target.open();
    await sealpost.keys.importBackup(bytes, backup.recoveryCode);
    const again = await sealpost.keys.importBackup(bytes, backup.recoveryCode);
    expect(again.map((entry) => entry.outcome)).toEqual(['already-present', 'already-present']);
    sealpost.close();
  });
});

describe('backup in GnuPG', () => {
  it('imports with the recovery code and decrypts', async () => {
    const { alice, bob, backup } = await backedUpFolder();
    const gpg = createGnuPg();
    try {
      const file = `${gpg.home}/backup.asc`;
      writeFileSync(file, backup.armored);
      const keys = gpg.run([
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        backup.recoveryCode,
        '--decrypt',
        file,
      ]).stdout;
      const imported = gpg.run(['--import'], keys);
      expect(imported.status).toMatch(/IMPORT_OK/);
      expect(imported.status).toMatch(/IMPORT_RES 2 /);

      for (const address of [alice, bob]) {
        const encrypted = gpg.run(['--armor', '--encrypt', '--recipient', address], 'to gpg');
        const decrypted = gpg.run(['--decrypt'], encrypted.stdout);
        expect(decrypted.stdout).toBe('to gpg');
        expect(decrypted.status).toMatch(/DECRYPTION_OKAY/);
      }
    } finally {
      gpg.close();
    }
  });
});

describe('backup errors', () => {
  it('rejects a wrong code and stores nothing', async () => {
    const { backup, bytes } = await backedUpFolder();
    const target = folder();
    const sealpost = await target.open();
    const last = backup.recoveryCode.at(-1) === '0' ? '1' : '0';
    const wrong = backup.recoveryCode.slice(0, -1) + last;

    const error = await sealpost.keys
      .importBackup(bytes, wrong)
      .catch((failure: unknown) => failure);
    expect(codeOf(error)).toBe('RECOVERY_CODE_INVALID');
    expect((error as Error).message).toMatch(/does not decrypt/);
    expect(sealpost.keys.list()).toEqual([]);
    // The audit log records the rejected attempt, and no restored key.
    const imports = sealpost.audit.list().filter((entry) => entry.operation === 'backup-import');
    expect(imports.map((entry) => entry.details)).toEqual([
      { outcome: 'rejected', error: 'RECOVERY_CODE_INVALID' },
    ]);
    expect(imports[0]!.fingerprint).toBeNull();
    sealpost.close();
  });

  it('rejects a malformed code before decrypting', async () => {
    const { bytes } = await backedUpFolder();
    const sealpost = await folder().open();
    const error = await sealpost.keys
      .importBackup(bytes, '1234-5678')
      .catch((failure: unknown) => failure);
    expect(codeOf(error)).toBe('RECOVERY_CODE_INVALID');
    expect((error as Error).message).toMatch(/must be 40 digits/);
    expect(sealpost.keys.list()).toEqual([]);
    sealpost.close();
  });

  it('rejects a corrupt file and stores nothing', async () => {
    const { backup } = await backedUpFolder();
    const sealpost = await folder().open();
    const truncated = new TextEncoder().encode(backup.armored.slice(0, 200));
    const garbage = new TextEncoder().encode('not a backup at all\n');
    for (const bytes of [truncated, garbage]) {
      const error = await sealpost.keys
        .importBackup(bytes, backup.recoveryCode)
        .catch((failure: unknown) => failure);
      expect(codeOf(error)).toBe('BACKUP_CORRUPT');
      expect((error as Error).message).toMatch(/another copy/);
    }

    // A changed byte inside the encrypted data fails the integrity check.
    const lines = backup.armored.split('\n');
    const middle = lines.findIndex((line, index) => index > 3 && line.length >= 60);
    lines[middle] = (lines[middle]!.startsWith('A') ? 'B' : 'A') + lines[middle]!.slice(1);
    const altered = new TextEncoder().encode(lines.join('\n'));
    const error = await sealpost.keys
      .importBackup(altered, backup.recoveryCode)
      .catch((failure: unknown) => failure);
    expect(['RECOVERY_CODE_INVALID', 'BACKUP_CORRUPT']).toContain(codeOf(error));
    expect(sealpost.keys.list()).toEqual([]);
    sealpost.close();
  });

  it('stops at a locked keychain with nothing changed', async () => {
    const { backup, bytes } = await backedUpFolder();
    const service = await startSecretService();
    try {
      const keychain = new OsKeychain(10_000, {
        ...process.env,
        DBUS_SESSION_BUS_ADDRESS: service.address,
      });
      const data = folder();
      (await data.open({ keychain })).close();
      const before = readFileSync(data.paths.database);
      service.lock();

      const error = await data
        .open({ keychain })
        .then((sealpost) => sealpost.keys.importBackup(bytes, backup.recoveryCode))
        .then(
          () => null,
          (failure: unknown) => failure,
        );
      expect(codeOf(error)).toBe('KEYCHAIN_LOCKED');
      expect(readFileSync(data.paths.database).equals(before)).toBe(true);
    } finally {
      service.stop();
    }
  });
});
