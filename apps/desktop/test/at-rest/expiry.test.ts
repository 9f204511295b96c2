// Expiry extension of own identities: the certificate keeps its fingerprint and gets the new
// expiry for the primary key and every subkey, the algorithm-35 one included, GnuPG reads the
// new expiry, and the extension is in the audit log.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readCertificate } from '@sealpost/crypto-core';
import { localAddress, makeDataFolder } from './helpers.ts';
import type { DataFolder } from './helpers.ts';

const gpgHome = mkdtempSync(path.join(os.tmpdir(), 'sealpost-gpg-expiry-'));
let folders: DataFolder[] = [];
afterEach(() => {
  for (const created of folders) created.remove();
  folders = [];
});
afterAll(() => {
  spawnSync('gpgconf', ['--homedir', gpgHome, '--kill', 'all']);
  rmSync(gpgHome, { recursive: true, force: true });
});

function gpg(args: string[], input?: string): string {
  const result = spawnSync('gpg', ['--homedir', gpgHome, '--batch', '--no-tty', ...args], {
    input,
    timeout: 60_000,
  });
  if (result.status !== 0) {
    throw new Error(`gpg ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  }
  return result.stdout.toString('utf8');
}

async function openFolder() {
  const data = makeDataFolder();
  folders.push(data);
  return data.open();
}

describe('expiry extension', () => {
  it('sets the new expiry everywhere', async () => {
    const sealpost = await openFolder();
    const address = localAddress('extend');
    await sealpost.keys.generate({ address, name: null });
    const before = await readCertificate(sealpost.keys.exportCertificate(address));
    expect(before.hasPostQuantumSubkey).toBe(true);

    const now = new Date(before.created.getTime() + 5000);
    const result = await sealpost.keys.extend(address, 2, now);
    const expected = new Date(now.getTime());
    expected.setUTCFullYear(expected.getUTCFullYear() + 2);
    expect(Math.abs(result.expires.getTime() - expected.getTime())).toBeLessThan(1000);

    const after = await readCertificate(sealpost.keys.exportCertificate(address), { date: now });
    expect(after.fingerprint).toBe(before.fingerprint);
    expect(after.expires?.getTime()).toBe(result.expires.getTime());
    expect(after.hasEncryptionSubkey).toBe(true);
    expect(after.hasPostQuantumSubkey).toBe(true);
    expect(after.postQuantumSubkeyFingerprint).toBe(before.postQuantumSubkeyFingerprint);
    const postQuantum = after.postQuantumSubkeys.find((subkey) => subkey.usable)!;
    expect(postQuantum.expires?.getTime()).toBe(result.expires.getTime());

    // The key still decrypts with the stored passphrase after the re-signing.
    const unlocked = await sealpost.keys.unlock(address);
    unlocked.clear();
    const extensions = sealpost.audit.list().filter((entry) => entry.operation === 'expiry-extend');
    expect(extensions).toHaveLength(1);
    expect(extensions[0]!.details).toMatchObject({ years: 2 });
    sealpost.close();
  });

  it('GnuPG reads the new expiry', async () => {
    const sealpost = await openFolder();
    const address = localAddress('extend-gpg');
    await sealpost.keys.generate({ address, name: null });
    const result = await sealpost.keys.extend(address, 3);
    gpg(['--import'], sealpost.keys.exportCertificate(address));
    const listing = gpg(['--with-colons', '--list-keys', address]);

    // Field 7 of the pub and sub records is the expiry in seconds since the epoch.
    const records = listing.split('\n').map((line) => line.split(':'));
    const primary = records.find((fields) => fields[0] === 'pub')!;
    expect(primary[4]!.toLowerCase()).toBe(result.fingerprint.toLowerCase().slice(-16));
    expect(Number(primary[6])).toBe(Math.floor(result.expires.getTime() / 1000));
    const subkeys = records.filter((fields) => fields[0] === 'sub');
    expect(subkeys.length).toBeGreaterThan(0);
    for (const subkey of subkeys) {
      expect(Number(subkey[6])).toBeGreaterThanOrEqual(Math.floor(result.expires.getTime() / 1000));
    }
    sealpost.close();
  });

  it('rejects bad years and revoked keys', async () => {
    const sealpost = await openFolder();
    const address = localAddress('extend-range');
    await sealpost.keys.generate({ address, name: null });
    await expect(sealpost.keys.extend(address, 0)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(sealpost.keys.extend(address, 11)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await sealpost.keys.revoke(address);
    await expect(sealpost.keys.extend(address, 1)).rejects.toMatchObject({
      code: 'KEY_REVOKED',
    });
    sealpost.close();
  });
});
