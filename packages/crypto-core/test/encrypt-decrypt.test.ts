import { readMessage, PublicKeyEncryptedSessionKeyPacket } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { CryptoError, decryptAndVerify, encryptAndSign, readCertificate } from '../src/index.ts';
import {
  decoder,
  encoder,
  makeIdentity,
  passphrase,
  type TestIdentity,
} from './helpers/identities.ts';

let alice: TestIdentity;
let bob: TestIdentity;
let carol: TestIdentity;
let mallory: TestIdentity;

beforeAll(async () => {
  [alice, bob, carol, mallory] = await Promise.all([
    makeIdentity('alice@example.org'),
    makeIdentity('bob@example.org'),
    makeIdentity('carol@example.org'),
    makeIdentity('mallory@example.org'),
  ]);
});

async function encryptedKeyIds(armored: string): Promise<string[]> {
  const message = await readMessage({ armoredMessage: armored });
  return message.getEncryptionKeyIDs().map((keyId) => keyId.toHex());
}

async function subkeyFingerprint(identity: TestIdentity): Promise<string> {
  const info = await readCertificate(identity.certificate);
  const { readKey } = await import('openpgp');
  const key = await readKey({ armoredKey: info.armored });
  return key.subkeys[0]!.getFingerprint();
}

describe('encryptAndSign and decryptAndVerify', () => {
  it('lets each recipient and the sender decrypt and verify', async () => {
    const data = encoder.encode('Meeting at noon.\r\nBring the keys.\r\n');
    const armored = await encryptAndSign({
      data,
      recipientCertificates: [bob.certificate, carol.certificate, alice.certificate],
      signingKey: alice.unlocked,
      mode: 'classical',
    });
    expect(armored).toContain('-----BEGIN PGP MESSAGE-----');
    expect(await encryptedKeyIds(armored)).toHaveLength(3);

    for (const reader of [alice, bob, carol]) {
      const result = await decryptAndVerify({
        message: armored,
        decryptionKeys: [reader.unlocked],
        verificationCertificates: [alice.certificate],
        expectedSignerAddress: 'Alice@Example.ORG',
      });
      expect(decoder.decode(result.data)).toBe('Meeting at noon.\r\nBring the keys.\r\n');
      expect(result.decryptedWith.primaryFingerprint).toBe(reader.fingerprint);
      expect(result.decryptedWith.subkeyFingerprint).toBe(await subkeyFingerprint(reader));
      expect(result.signatures).toHaveLength(1);
      expect(result.signatures[0]!.status).toBe('valid');
      expect(result.signatures[0]!.signerFingerprint).toBe(alice.fingerprint);
      expect(result.signatures[0]!.signingKeyFingerprint).toBe(alice.fingerprint);
      expect(result.signatures[0]!.keyId).toBe(alice.fingerprint.slice(-16));
      expect(result.signatures[0]!.created).toBeInstanceOf(Date);
      expect(result.signatures[0]!.signerMatchesAddress).toBe(true);
    }
  });

  it('reports a From address that the signer does not hold', async () => {
    const armored = await encryptAndSign({
      data: encoder.encode('hello'),
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
    });
    const result = await decryptAndVerify({
      message: armored,
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [alice.certificate],
      expectedSignerAddress: 'carol@example.org',
    });

    expect(result.signatures[0]!.status).toBe('valid');
    expect(result.signatures[0]!.signerMatchesAddress).toBe(false);
  });

  it('encrypts to the signer once even when listed twice', async () => {
    const armored = await encryptAndSign({
      data: encoder.encode('dedupe'),
      recipientCertificates: [bob.certificate, alice.certificate, bob.certificate],
      signingKey: alice.unlocked,
      mode: 'classical',
    });
    expect(await encryptedKeyIds(armored)).toHaveLength(2);

    const withoutSelf = await encryptAndSign({
      data: encoder.encode('not to self'),
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
      encryptToSigner: false,
      mode: 'classical',
    });
    expect(await encryptedKeyIds(withoutSelf)).toHaveLength(1);
    await expect(
      decryptAndVerify({
        message: withoutSelf,
        decryptionKeys: [alice.unlocked],
        verificationCertificates: [],
      }),
    ).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('accepts a locked secret key with its passphrase', async () => {
    const armored = await encryptAndSign({
      data: encoder.encode('locked input'),
      recipientCertificates: [bob.certificate],
      signingKey: { secretKey: alice.secretKey, passphrase },
    });
    const result = await decryptAndVerify({
      message: armored,
      decryptionKeys: [{ secretKey: bob.secretKey, passphrase }],
      verificationCertificates: [alice.certificate],
    });

    expect(decoder.decode(result.data)).toBe('locked input');
    expect(result.signatures[0]!.status).toBe('valid');
  });

  it('reports unknown-key for a signer outside the certificates', async () => {
    const armored = await encryptAndSign({
      data: encoder.encode('who signed this?'),
      recipientCertificates: [bob.certificate],
      signingKey: mallory.unlocked,
    });
    const result = await decryptAndVerify({
      message: armored,
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [alice.certificate],
      expectedSignerAddress: 'alice@example.org',
    });

    expect(result.signatures).toHaveLength(1);
    expect(result.signatures[0]!.status).toBe('unknown-key');
    expect(result.signatures[0]!.signerFingerprint).toBeNull();
    expect(result.signatures[0]!.keyId).toBe(mallory.fingerprint.slice(-16));
    expect(result.signatures[0]!.signerMatchesAddress).toBe(false);
    expect(result.signatures[0]!.reason).toMatch(/no verification certificate/i);
  });

  it('reports expired-key for a signer whose key expired', async () => {
    const day = 24 * 60 * 60;
    const created = new Date(Date.now() - 10 * day * 1000);
    const expiring = await makeIdentity('expiring@example.org', {
      keyExpirationTime: 2 * day,
      date: created,
    });
    // The reader's certificate must already exist at the signing date in the past.
    const reader = await makeIdentity('reader@example.org', { date: created });
    const signedAt = new Date(created.getTime() + day * 1000);

    const armored = await encryptAndSign({
      data: encoder.encode('signed while the key was valid'),
      recipientCertificates: [reader.certificate],
      signingKey: expiring.unlocked,
      encryptToSigner: false,
      date: signedAt,
    });
    const now = await decryptAndVerify({
      message: armored,
      decryptionKeys: [reader.unlocked],
      verificationCertificates: [expiring.certificate],
      expectedSignerAddress: 'expiring@example.org',
    });
    expect(now.signatures[0]!.status).toBe('expired-key');
    expect(now.signatures[0]!.signerFingerprint).toBe(expiring.fingerprint);
    expect(now.signatures[0]!.signerMatchesAddress).toBe(false);

    const thenResult = await decryptAndVerify({
      message: armored,
      decryptionKeys: [reader.unlocked],
      verificationCertificates: [expiring.certificate],
      date: new Date(signedAt.getTime() + 60_000),
    });
    expect(thenResult.signatures[0]!.status).toBe('valid');
  });

  it('rejects signing with an expired key', async () => {
    const day = 24 * 60 * 60;
    const expired = await makeIdentity('expired@example.org', {
      keyExpirationTime: day,
      date: new Date(Date.now() - 3 * day * 1000),
    });
    await expect(
      encryptAndSign({
        data: encoder.encode('x'),
        recipientCertificates: [bob.certificate],
        signingKey: expired.unlocked,
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/NO_SIGNING_KEY|NO_ENCRYPTION_SUBKEY/) });
  });

  it('names the key IDs when no decryption key matches', async () => {
    const armored = await encryptAndSign({
      data: encoder.encode('for bob only'),
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
      encryptToSigner: false,
      mode: 'classical',
    });
    const bobKeyId = (await encryptedKeyIds(armored))[0]!;
    const error = await decryptAndVerify({
      message: armored,
      decryptionKeys: [carol.unlocked],
      verificationCertificates: [],
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe('KEY_NOT_FOUND');
    expect((error as CryptoError).message).toContain(bobKeyId);
  });

  it('decrypts an inline PGP block inside mail text', async () => {
    const armored = await encryptAndSign({
      data: encoder.encode('inline body'),
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
    });
    const body = `Hi Bob,\r\n\r\n${armored.replace(/\n/g, '\r\n')}\r\n-- \r\nAlice\r\n`;
    const result = await decryptAndVerify({
      message: encoder.encode(body),
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [alice.certificate],
    });

    expect(decoder.decode(result.data)).toBe('inline body');
    expect(result.signatures[0]!.status).toBe('valid');
  });

  it('decrypts a binary message and an unsigned one', async () => {
    const { createMessage, encrypt, readKey } = await import('openpgp');
    const binary = await encrypt({
      message: await createMessage({ binary: encoder.encode('unsigned') }),
      encryptionKeys: await readKey({ armoredKey: bob.certificate }),
      format: 'binary',
    });
    const result = await decryptAndVerify({
      message: binary as Uint8Array,
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [alice.certificate],
    });

    expect(decoder.decode(result.data)).toBe('unsigned');
    expect(result.signatures).toEqual([]);
  });

  it('attributes an anonymous recipient to the right key', async () => {
    const { createMessage, encrypt, readKey } = await import('openpgp');
    const armored = await encrypt({
      message: await createMessage({ binary: encoder.encode('anonymous') }),
      encryptionKeys: await readKey({ armoredKey: carol.certificate }),
      wildcard: true,
    });
    const message = await readMessage({ armoredMessage: armored });
    const pkesk = message.packets[0] as PublicKeyEncryptedSessionKeyPacket;
    expect(pkesk).toBeInstanceOf(PublicKeyEncryptedSessionKeyPacket);
    expect(message.getEncryptionKeyIDs()[0]!.toHex()).toBe('0000000000000000');

    const result = await decryptAndVerify({
      message: armored,
      decryptionKeys: [bob.unlocked, carol.unlocked],
      verificationCertificates: [],
    });
    expect(decoder.decode(result.data)).toBe('anonymous');
    expect(result.decryptedWith.primaryFingerprint).toBe(carol.fingerprint);
  });

  it('rejects a recipient without an encryption subkey', async () => {
    const { applyRevocation } = await import('../src/index.ts');
    const revoked = await applyRevocation(carol.certificate, carol.revocationCertificate);
    await expect(
      encryptAndSign({
        data: encoder.encode('x'),
        recipientCertificates: [revoked],
        signingKey: alice.unlocked,
      }),
    ).rejects.toMatchObject({ code: 'NO_ENCRYPTION_SUBKEY' });
  });

  it('rejects a cleared unlocked key', async () => {
    const temporary = await makeIdentity('temporary@example.org');
    temporary.unlocked.clear();
    expect(temporary.unlocked.isCleared).toBe(true);
    await expect(
      encryptAndSign({
        data: encoder.encode('x'),
        recipientCertificates: [bob.certificate],
        signingKey: temporary.unlocked,
      }),
    ).rejects.toMatchObject({ code: 'KEY_CLEARED' });
  });

  it('rejects unknown options and non-byte data', async () => {
    await expect(
      encryptAndSign({
        data: 'text' as unknown as Uint8Array,
        recipientCertificates: [bob.certificate],
        signingKey: alice.unlocked,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      decryptAndVerify({
        message: 'x',
        decryptionKeys: [],
        verificationCertificates: [],
        streaming: true,
      } as unknown as Parameters<typeof decryptAndVerify>[0]),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
