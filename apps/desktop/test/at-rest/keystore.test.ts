// The keystore against the real Secret Service (gnome-keyring started by the test setup):
// keys in the keychain, the Argon2id passphrase fallback, migration of scrypt-vault folders,
// and clear errors for a missing entry, a locked keychain and a wrong passphrase.

import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '@sealpost/storage';
import { generateIdentity, unlockSecretKey } from '@sealpost/crypto-core';
import { OsKeychain } from '../../src/core/keystore/keychain.ts';
import { entryName } from '../../src/core/keystore/keystore.ts';
import { readKeystoreFile } from '../../src/core/keystore/keystore-file.ts';
import { Vault } from '../../src/core/vault.ts';
import { startSecretService } from '../../../../test/keyring-setup.ts';
import { localAddress, makeDataFolder } from './helpers.ts';
import type { DataFolder } from './helpers.ts';

const SQLITE_HEADER = 'SQLite format 3\u0000';

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

function databaseHeader(file: string): string {
  return readFileSync(file).subarray(0, 16).toString('latin1');
}

describe('keystore in the OS keychain', () => {
  it('keeps both keys in the Secret Service', async () => {
    const data = folder();
    const sealpost = await data.open();
    const address = localAddress('alice');
    await sealpost.keys.generate({ address, name: null });
    sealpost.close();

    const file = readKeystoreFile(data.paths.keystore);
    expect(file.mode).toBe('keychain');
    expect(file.sealedKeys).toBeUndefined();
    const keychain = new OsKeychain();
    expect(Buffer.from(keychain.get(entryName(file.folderId, 'kek'))!, 'base64')).toHaveLength(32);
    expect(
      Buffer.from(keychain.get(entryName(file.folderId, 'database-key'))!, 'base64'),
    ).toHaveLength(32);
    expect(databaseHeader(data.paths.database)).not.toBe(SQLITE_HEADER);

    const again = await data.open();
    expect(again.keys.list().map((identity) => identity.address)).toEqual([address]);
    const signingKey = await again.keys.unlock(address);
    signingKey.clear();
    again.close();
  });

  it('fails with KEYCHAIN_ENTRY_MISSING when the entry is gone', async () => {
    const data = folder();
    (await data.open()).close();
    const file = readKeystoreFile(data.paths.keystore);
    new OsKeychain().delete(entryName(file.folderId, 'kek'));
    const before = readFileSync(data.paths.database);

    const error = await data.open().then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ code: 'KEYCHAIN_ENTRY_MISSING' });
    expect((error as Error).message).toContain('into a new, empty data folder');
    expect(readFileSync(data.paths.database).equals(before)).toBe(true);
  });

  it('names no passphrase for an unreachable keychain', async () => {
    const data = folder();
    (await data.open()).close();
    // No D-Bus session bus listens there, so no Secret Service is reachable.
    const unreachable = new OsKeychain(10_000, {
      ...process.env,
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/sealpost-test-bus',
    });

    const error = await data.open({ keychain: unreachable }).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(['KEYCHAIN_LOCKED', 'KEYCHAIN_UNAVAILABLE']).toContain(
      (error as { code?: string } | null)?.code,
    );
    const message = (error as Error).message;
    expect(message).toContain('The keys of this data folder are in the');
    expect(message).toContain('start and unlock it');
    expect(message).toContain('--passphrase-file does not open a data folder kept in the keychain');
    expect(message).not.toContain('Cannot store');
  });

  it('fails with KEYCHAIN_LOCKED when the collection is locked', async () => {
    // A Secret Service of its own, because a locked collection cannot be unlocked without a prompt.
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

      const error = await data.open({ keychain }).then(
        () => null,
        (failure: unknown) => failure,
      );
      expect((error as { code?: string } | null)?.code).toBe('KEYCHAIN_LOCKED');
      expect((error as Error).message).toMatch(/unlock/);
      expect(readFileSync(data.paths.database).equals(before)).toBe(true);
    } finally {
      service.stop();
    }
  });
});

describe('passphrase fallback', () => {
  it('seals the keys with Argon2id when no keychain exists', async () => {
    const data = folder();
    const sealpost = await data.open({ keychain: null, passphrase: 'correct horse battery' });
    expect(sealpost.notices).toHaveLength(1);
    expect(sealpost.notices[0]).toMatch(/No OS keychain is available/);
    sealpost.close();

    const file = readKeystoreFile(data.paths.keystore);
    expect(file.mode).toBe('passphrase');
    // RFC 9106 section 4, second recommended option.
    expect(file.kdf).toMatchObject({ name: 'argon2id', t: 3, m: 65536, p: 4 });
    expect(Buffer.from(file.kdf!.salt, 'base64')).toHaveLength(16);

    const again = await data.open({ keychain: null, passphrase: 'correct horse battery' });
    expect(again.notices).toEqual([]);
    again.close();
  });

  it('rejects a wrong passphrase and changes nothing', async () => {
    const data = folder();
    (await data.open({ keychain: null, passphrase: 'correct horse battery' })).close();
    const keystoreBefore = readFileSync(data.paths.keystore);
    const databaseBefore = readFileSync(data.paths.database);

    await expect(
      data.open({ keychain: null, passphrase: 'wrong horse battery' }),
    ).rejects.toMatchObject({ code: 'INVALID_PASSPHRASE' });
    await expect(data.open({ keychain: null })).rejects.toMatchObject({
      code: 'PASSPHRASE_REQUIRED',
    });
    expect(readFileSync(data.paths.keystore).equals(keystoreBefore)).toBe(true);
    expect(readFileSync(data.paths.database).equals(databaseBefore)).toBe(true);
  });
});

describe('migration from the scrypt vault', () => {
  it('moves keys to the keychain and encrypts the database', async () => {
    const data = folder();
    const passphrase = 'old sealpost passphrase';
    const address = localAddress('legacy');

    // A data folder as the previous version left it: vault.json, a plaintext database, a
    // secret key protected with the passphrase and an account password sealed by the vault.
    const legacyVault = Vault.create(data.paths.vault, passphrase);
    const identity = await generateIdentity({ address, passphrase });
    const store = openDatabase(data.paths.database);
    store.identities.insert({
      accountId: null,
      address,
      fingerprint: identity.fingerprint,
      certificate: identity.certificate,
      secretKey: identity.secretKey,
      revocationCertificate: identity.revocationCertificate,
    });
    store.accounts.insert({
      email: address,
      displayName: null,
      imap: { host: '127.0.0.1', port: 1143, security: 'starttls', user: address },
      smtp: { host: '127.0.0.1', port: 1587, security: 'starttls', user: address },
      pinnedCertificate: null,
      sealedPassword: legacyVault.seal(Buffer.from('imap password'), 'account-password'),
    });
    store.close();
    legacyVault.lock();
    expect(databaseHeader(data.paths.database)).toBe(SQLITE_HEADER);

    await expect(data.open({ passphrase: 'not the old one' })).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });
    expect(existsSync(data.paths.keystore)).toBe(false);

    const sealpost = await data.open({ passphrase });
    expect(sealpost.notices[0]).toMatch(/moved to the OS keychain/);
    const account = sealpost.accounts.resolve(address);
    expect(sealpost.accounts.imapOptions(account).password).toBe('imap password');
    (await sealpost.keys.unlock(address)).clear();
    const migratedSecretKey = sealpost.keys.exportSecretKey(address);
    sealpost.close();

    expect(existsSync(data.paths.vault)).toBe(false);
    expect(readKeystoreFile(data.paths.keystore)).toMatchObject({ mode: 'keychain' });
    expect(readKeystoreFile(data.paths.keystore).migratingFrom).toBeUndefined();
    expect(databaseHeader(data.paths.database)).not.toBe(SQLITE_HEADER);
    await expect(unlockSecretKey(migratedSecretKey, passphrase)).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });

    // Daily use needs no passphrase any more.
    const again = await data.open();
    expect(again.keys.list()).toHaveLength(1);
    again.close();
  });
});
