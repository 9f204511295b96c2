// Subkey rotation of own identities: old mail stays readable, the certificate keeps its
// fingerprint and gains new Curve25519 and algorithm-35 subkeys, the schedule in key_settings
// decides what is due, and each rotation is in the audit log.

import { afterEach, describe, expect, it } from 'vitest';
import { decryptAndVerify, encryptAndSignWithPlan, readCertificate } from '@sealpost/crypto-core';
import { DEFAULT_ROTATION_DAYS } from '../../src/core/rotation.ts';
import { localAddress, makeDataFolder } from './helpers.ts';
import type { DataFolder } from './helpers.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
let folders: DataFolder[] = [];
afterEach(() => {
  for (const created of folders) created.remove();
  folders = [];
});

async function openFolder() {
  const data = makeDataFolder();
  folders.push(data);
  return data.open();
}

describe('subkey rotation', () => {
  it('keeps old mail readable', async () => {
    const sealpost = await openFolder();
    const address = localAddress('rotate');
    await sealpost.keys.generate({ address, name: null });
    const before = await readCertificate(sealpost.keys.exportCertificate(address));
    const { message: oldMessage } = await encryptAndSignWithPlan({
      data: new TextEncoder().encode('before rotation'),
      recipientCertificates: [before.armored],
      encryptToSigner: false,
      mode: 'pq',
    });

    // A second later, because subkey creation times have one-second resolution.
    const result = await sealpost.keys.rotate(address, new Date(before.created.getTime() + 2000));
    expect(result.subkeyFingerprints).toHaveLength(2);
    const after = await readCertificate(sealpost.keys.exportCertificate(address));
    expect(after.fingerprint).toBe(before.fingerprint);
    expect(after.postQuantumSubkeys).toHaveLength(2);
    const postQuantumFingerprints = after.postQuantumSubkeys.map((subkey) =>
      subkey.fingerprint.toLowerCase(),
    );
    expect(postQuantumFingerprints).toContain(result.subkeyFingerprints[1]!.toLowerCase());
    expect(result.subkeyFingerprints[1]).not.toBe(before.postQuantumSubkeyFingerprint);

    const keys = await sealpost.keys.unlockAll();
    try {
      const decrypted = await decryptAndVerify({
        message: oldMessage,
        decryptionKeys: keys,
        verificationCertificates: [],
      });
      expect(new TextDecoder().decode(decrypted.data)).toBe('before rotation');
      expect(decrypted.decryptedWith.subkeyFingerprint.toLowerCase()).toBe(
        before.postQuantumSubkeyFingerprint!.toLowerCase(),
      );
    } finally {
      for (const key of keys) key.clear();
    }
    const rotations = sealpost.audit.list().filter((entry) => entry.operation === 'subkey-rotate');
    expect(rotations).toHaveLength(1);
    sealpost.close();
  });

  it('rotates only what is due', async () => {
    const sealpost = await openFolder();
    const address = localAddress('schedule');
    await sealpost.keys.generate({ address, name: null });
    expect(sealpost.keys.rotationIntervalDays()).toBe(DEFAULT_ROTATION_DAYS);

    sealpost.keys.setRotationIntervalDays(30);
    expect(sealpost.keys.rotationIntervalDays()).toBe(30);
    const now = Date.now();
    expect(await sealpost.keys.rotateDue(new Date(now + 29 * DAY_MS))).toEqual([]);

    const rotated = await sealpost.keys.rotateDue(new Date(now + 31 * DAY_MS));
    expect(rotated.map((entry) => entry.address)).toEqual([address]);
    // The rotation time restarts the interval.
    expect(await sealpost.keys.rotateDue(new Date(now + 40 * DAY_MS))).toEqual([]);
    expect(() => sealpost.keys.setRotationIntervalDays(0)).toThrow(/1 to 3650/);
    sealpost.close();
  });
});
