import { generateKey, readKey, readPrivateKey } from 'openpgp';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  exportSecretKey,
  importSecretKey,
  protectSecretKey,
  readCertificate,
  readKeys,
  readSecretKeyInfo,
  signDetached,
  unlockSecretKey,
  verifyDetached,
} from '../src/index.ts';
import { encoder, makeIdentity, passphrase } from './helpers/identities.ts';

async function unprotectedKey(address: string): Promise<string> {
  const { privateKey } = await generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ email: address }],
  });
  return privateKey;
}

describe('malformed keys', () => {
  it('are KEY_MALFORMED with a reason and a next step', async () => {
    const identity = await makeIdentity('alice@example.org');
    const lines = identity.certificate.split('\n');
    const corrupted = lines
      .map((line, index) => (index === 3 ? line.replace(/[A-Za-z]/g, 'Q') : line))
      .join('\n');
    const inputs: Array<string | Uint8Array> = [
      'garbage',
      corrupted,
      '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n',
      new Uint8Array([0x99, 0x01, 0x02, 0x03]),
    ];
    for (const input of inputs) {
      const error = await readCertificate(input).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CryptoError);
      expect((error as CryptoError).code).toBe('KEY_MALFORMED');
      expect((error as CryptoError).message).toMatch(/could not be read/);
      expect((error as CryptoError).message).toMatch(/gpg --export/);
    }
    await expect(unlockSecretKey('garbage', passphrase)).rejects.toMatchObject({
      code: 'KEY_MALFORMED',
    });
  });

  it('reject two certificates where one is expected', async () => {
    const [a, b] = await Promise.all([
      makeIdentity('a@example.org'),
      makeIdentity('b@example.org'),
    ]);
    await expect(readCertificate(a.certificate + b.certificate)).rejects.toMatchObject({
      code: 'KEY_MALFORMED',
    });
    const blocks = await readKeys(a.certificate + '\n' + b.secretKey);
    expect(blocks.map((block) => block.isSecret)).toEqual([false, true]);
    expect(blocks[1]!.armored).toContain('PRIVATE KEY BLOCK');
  });
});

describe('readCertificate', () => {
  it('reads binary and strips secret material', async () => {
    const identity = await makeIdentity('binary@example.org');
    const binary = (await readKey({ armoredKey: identity.certificate })).write();
    expect((await readCertificate(binary)).fingerprint).toBe(identity.fingerprint);

    const fromSecret = await readCertificate(identity.secretKey);
    expect(fromSecret.armored).toContain('PUBLIC KEY BLOCK');
    expect((await readKey({ armoredKey: fromSecret.armored })).isPrivate()).toBe(false);
  });
});

describe('unlockSecretKey', () => {
  it('rejects a wrong passphrase with INVALID_PASSPHRASE', async () => {
    const identity = await makeIdentity('carol@example.org');
    await expect(unlockSecretKey(identity.secretKey, 'wrong passphrase')).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });
  });

  it('rejects an unprotected key', async () => {
    await expect(
      unlockSecretKey(await unprotectedKey('plain@example.org'), passphrase),
    ).rejects.toMatchObject({
      code: 'UNPROTECTED_SECRET_KEY',
    });
  });

  it('hides the key and clears it', async () => {
    const identity = await makeIdentity('dave@example.org');
    const unlocked = await unlockSecretKey(identity.secretKey, passphrase);
    expect(unlocked.fingerprint).toBe(identity.fingerprint);
    expect(JSON.stringify(unlocked)).toBe(JSON.stringify({ fingerprint: identity.fingerprint }));
    expect(Object.values(unlocked).join(' ')).not.toContain('PRIVATE');

    unlocked.clear();
    expect(unlocked.isCleared).toBe(true);
    await expect(
      signDetached({ data: encoder.encode('x'), signingKey: unlocked }),
    ).rejects.toMatchObject({
      code: 'KEY_CLEARED',
    });
  });
});

describe('importSecretKey', () => {
  it('rejects an unprotected key without a passphrase', async () => {
    await expect(importSecretKey(await unprotectedKey('plain@example.org'))).rejects.toMatchObject({
      code: 'UNPROTECTED_SECRET_KEY',
    });
  });

  it('protects an unprotected key with the passphrase', async () => {
    const imported = await importSecretKey(
      await unprotectedKey('plain@example.org'),
      'new passphrase',
    );
    expect(imported.info.isProtected).toBe(true);
    expect((await readSecretKeyInfo(imported.secretKey)).isProtected).toBe(true);
    const unlocked = await unlockSecretKey(imported.secretKey, 'new passphrase');
    expect(unlocked.fingerprint).toBe(imported.info.fingerprint);
    unlocked.clear();
  });

  it('checks the passphrase of a protected key', async () => {
    const identity = await makeIdentity('erin@example.org');
    await expect(importSecretKey(identity.secretKey, 'wrong')).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });
    const imported = await importSecretKey(identity.secretKey, passphrase);
    expect(imported.info.fingerprint).toBe(identity.fingerprint);
    expect(imported.certificate).toContain('PUBLIC KEY BLOCK');
  });
});

describe('protectSecretKey', () => {
  it('changes the passphrase', async () => {
    const identity = await makeIdentity('frank@example.org');
    await expect(protectSecretKey(identity.secretKey, 'next')).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });
    await expect(protectSecretKey(identity.secretKey, 'next', 'wrong')).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });

    const changed = await protectSecretKey(identity.secretKey, 'next', passphrase);
    await expect(unlockSecretKey(changed, passphrase)).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });
    const unlocked = await unlockSecretKey(changed, 'next');
    const data = encoder.encode('still the same key');
    const signature = await signDetached({ data, signingKey: unlocked });
    const results = await verifyDetached({
      data,
      signature,
      verificationCertificates: [identity.certificate],
    });
    expect(results[0]!.status).toBe('valid');
  });

  it('protects an unprotected key', async () => {
    const changed = await protectSecretKey(
      await unprotectedKey('grace@example.org'),
      'fresh',
      'ignored',
    );
    const key = await readPrivateKey({ armoredKey: changed });
    expect(key.isDecrypted()).toBe(false);
  });

  it('exports an unlocked key under a new passphrase', async () => {
    const identity = await makeIdentity('heidi@example.org');
    const exported = await exportSecretKey(identity.unlocked, 'backup passphrase');
    const unlocked = await unlockSecretKey(exported, 'backup passphrase');
    expect(unlocked.fingerprint).toBe(identity.fingerprint);
    expect(identity.unlocked.isCleared).toBe(false);
  });
});
