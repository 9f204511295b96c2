import { enums, readKey } from 'openpgp';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  applyRevocation,
  generateIdentity,
  readCertificate,
  readSecretKeyInfo,
  signDetached,
  verifyDetached,
} from '../src/index.ts';
import { encoder, makeIdentity, passphrase } from './helpers/identities.ts';

describe('generateIdentity', () => {
  it('makes a v4 EdDSA certificate with an ECDH subkey', async () => {
    const identity = await makeIdentity('alice@example.org');
    const key = await readKey({ armoredKey: identity.certificate });

    expect(key.isPrivate()).toBe(false);
    expect(key.keyPacket.version).toBe(4);
    expect(key.keyPacket.algorithm).toBe(enums.publicKey.eddsaLegacy);
    expect(key.keyPacket.algorithm).toBe(22);
    expect(key.getAlgorithmInfo().curve).toBe('ed25519Legacy');
    expect(key.subkeys).toHaveLength(1);
    expect(key.subkeys[0]!.keyPacket.version).toBe(4);
    expect(key.subkeys[0]!.keyPacket.algorithm).toBe(enums.publicKey.ecdh);
    expect(key.subkeys[0]!.keyPacket.algorithm).toBe(18);
    expect(key.subkeys[0]!.getAlgorithmInfo().curve).toBe('curve25519Legacy');
    expect(identity.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    expect(identity.fingerprint).toBe(key.getFingerprint());
  });

  it('sets certify+sign on the primary and encrypt on the subkey', async () => {
    const identity = await makeIdentity('flags@example.org');
    const key = await readKey({ armoredKey: identity.certificate });
    const primaryFlags = (await key.getPrimaryUser()).selfCertification.keyFlags![0]!;
    const subkeyFlags = key.subkeys[0]!.bindingSignatures[0]!.keyFlags![0]!;

    expect(primaryFlags & enums.keyFlags.certifyKeys).toBeTruthy();
    expect(primaryFlags & enums.keyFlags.signData).toBeTruthy();
    expect(primaryFlags & enums.keyFlags.encryptCommunication).toBeFalsy();
    expect(subkeyFlags & enums.keyFlags.encryptCommunication).toBeTruthy();
    expect(subkeyFlags & enums.keyFlags.signData).toBeFalsy();
  });

  it('reads back as certificate info', async () => {
    const identity = await makeIdentity('Carol@Example.org');
    const info = await readCertificate(identity.certificate);

    expect(info.fingerprint).toBe(identity.fingerprint);
    expect(info.keyId).toBe(identity.fingerprint.slice(-16));
    expect(info.version).toBe(4);
    expect(info.algorithm).toBe('eddsaLegacy');
    expect(info.userIds).toEqual(['Carol <Carol@Example.org>']);
    expect(info.addresses).toEqual(['carol@example.org']);
    expect(info.isRevoked).toBe(false);
    expect(info.isExpired).toBe(false);
    expect(info.expires).toBeNull();
    expect(info.hasEncryptionSubkey).toBe(true);
    expect(info.armored).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
  });

  it('protects the secret key with the passphrase', async () => {
    const identity = await makeIdentity('dave@example.org');
    const info = await readSecretKeyInfo(identity.secretKey);

    expect(info.isProtected).toBe(true);
    expect(info.hasPrimarySecretKey).toBe(true);
    expect(info.fingerprint).toBe(identity.fingerprint);
    expect(identity.secretKey).toContain('-----BEGIN PGP PRIVATE KEY BLOCK-----');
  });

  it('rejects an invalid address', async () => {
    await expect(
      generateIdentity({ address: 'Alice <alice@example.org>', passphrase }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(generateIdentity({ address: 'no-at-sign', passphrase })).rejects.toBeInstanceOf(
      CryptoError,
    );
  });

  it('rejects an empty passphrase', async () => {
    await expect(
      generateIdentity({ address: 'eve@example.org', passphrase: '' }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('revocation certificate', () => {
  it('makes signatures verify as revoked-key', async () => {
    const identity = await makeIdentity('revoked@example.org');
    expect(identity.revocationCertificate).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    const data = encoder.encode('signed before the key was revoked');
    const signature = await signDetached({ data, signingKey: identity.unlocked });

    const before = await verifyDetached({
      data,
      signature,
      verificationCertificates: [identity.certificate],
    });
    expect(before[0]!.status).toBe('valid');

    const revoked = await applyRevocation(identity.certificate, identity.revocationCertificate);
    const info = await readCertificate(revoked);
    expect(info.isRevoked).toBe(true);
    expect(info.hasEncryptionSubkey).toBe(false);

    const after = await verifyDetached({ data, signature, verificationCertificates: [revoked] });
    expect(after).toHaveLength(1);
    expect(after[0]!.status).toBe('revoked-key');
    expect(after[0]!.signerFingerprint).toBe(identity.fingerprint);
  });

  it('rejects a revocation made for another key', async () => {
    const first = await makeIdentity('first@example.org');
    const second = await makeIdentity('second@example.org');

    await expect(
      applyRevocation(first.certificate, second.revocationCertificate),
    ).rejects.toMatchObject({
      code: 'REVOCATION_INVALID',
    });
  });
});
