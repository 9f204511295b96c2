// Revocation: an own key is revoked with the revocation certificate made at creation, the
// revoked certificate replaces the contact's pinned one when it arrives by Autocrypt, and the
// check that send runs before encrypting then raises KEY_REVOKED naming the contact.

import { afterEach, describe, expect, it } from 'vitest';
import {
  certificateToBinary,
  createRevocationCertificate,
  generateIdentity,
  readCertificate,
} from '@sealpost/crypto-core';
import { rejectRevokedRecipients } from '../../src/core/revocation.ts';
import type { Sealpost } from '../../src/core/sealpost.ts';
import { localAddress, makeDataFolder } from './helpers.ts';
import type { DataFolder } from './helpers.ts';

let folders: DataFolder[] = [];
afterEach(() => {
  for (const created of folders) created.remove();
  folders = [];
});

/** Returns a lookup of the pinned certificate, which `contactCertificates` lists first. */
function pinnedOf(sealpost: Sealpost) {
  return (address: string) => sealpost.contactCertificates(address)[0] ?? null;
}

async function openFolder() {
  const data = makeDataFolder();
  folders.push(data);
  return data.open();
}

describe('key revocation', () => {
  it('revokes an own key once', async () => {
    const sealpost = await openFolder();
    const address = localAddress('revoke');
    await sealpost.keys.generate({ address, name: null });

    const fingerprint = await sealpost.keys.revoke(address);
    const certificate = await readCertificate(sealpost.keys.exportCertificate(address));
    expect(certificate.fingerprint.toUpperCase()).toBe(fingerprint.toUpperCase());
    expect(certificate.isRevoked).toBe(true);
    await expect(sealpost.keys.revoke(address)).rejects.toMatchObject({ code: 'KEY_REVOKED' });
    await expect(sealpost.keys.rotate(address)).rejects.toMatchObject({ code: 'KEY_REVOKED' });
    const revocations = sealpost.audit.list().filter((entry) => entry.operation === 'revoke');
    expect(revocations).toHaveLength(1);
    sealpost.close();
  });

  it('revokes an imported key', async () => {
    const sealpost = await openFolder();
    const address = localAddress('imported');
    const generated = await generateIdentity({ address, passphrase: 'import-passphrase' });
    await sealpost.keys.import(new TextEncoder().encode(generated.secretKey), {
      keyPassphrase: 'import-passphrase',
      replacePinned: false,
    });
    expect(() => sealpost.keys.exportRevocationCertificate(address)).toThrow();

    const fingerprint = await sealpost.keys.revoke(address);
    expect(fingerprint.toUpperCase()).toBe(generated.fingerprint.toUpperCase());
    const certificate = await readCertificate(sealpost.keys.exportCertificate(address));
    expect(certificate.isRevoked).toBe(true);
    expect(certificate.hasEncryptionSubkey).toBe(false);
    const [entry] = sealpost.audit.list().filter((item) => item.operation === 'revoke');
    expect(entry?.details).toMatchObject({ signedNow: true });
    sealpost.close();
  });

  it('rejects a wrong passphrase when signing a revocation', async () => {
    const generated = await generateIdentity({
      address: localAddress('wrong'),
      passphrase: 'right-passphrase',
    });
    await expect(
      createRevocationCertificate(generated.secretKey, 'wrong-passphrase', { reason: 'retired' }),
    ).rejects.toMatchObject({ code: 'INVALID_PASSPHRASE' });
  });

  it('stops encryption to a revoked contact', async () => {
    const bob = await openFolder();
    const alice = await openFolder();
    const bobAddress = localAddress('bob');
    await bob.keys.generate({ address: bobAddress, name: null });
    await alice.keys.import(new TextEncoder().encode(bob.keys.exportCertificate(bobAddress)), {
      keyPassphrase: null,
      replacePinned: false,
    });
    await rejectRevokedRecipients(pinnedOf(alice), [bobAddress]);

    await bob.keys.revoke(bobAddress);
    const learned = await alice.contacts.learn({
      address: bobAddress,
      keydata: await certificateToBinary(bob.keys.exportCertificate(bobAddress)),
      source: 'autocrypt',
      preferEncrypt: 'mutual',
      seenAt: new Date(),
    });
    expect(learned?.outcome).toBe('updated');
    expect(learned?.warnings.join(' ')).toMatch(/revoked/);

    const error = await rejectRevokedRecipients(pinnedOf(alice), [bobAddress]).catch(
      (failure: unknown) => failure,
    );
    expect((error as { code?: string }).code).toBe('KEY_REVOKED');
    expect((error as Error).message).toContain(bobAddress);
    expect((error as Error).message).toMatch(/revoked by its owner/);
    alice.close();
    bob.close();
  });
});
