// Post-quantum encryption end to end: identities get an algorithm-35 subkey, messages to a
// recipient set where all have one carry only algorithm-35 PKESKs, a mixed set falls back to
// classical PKESKs for everyone, and certificates keep the subkey through export.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  certificateToBinary,
  decryptAndVerify,
  encryptAndSign,
  encryptAndSignWithPlan,
  generateIdentity,
  planEncryption,
  readCertificate,
  unlockSecretKey,
} from '../../src/index.ts';
import { findMlkemX25519Subkeys } from '../../src/pq/subkey-packets.ts';
import {
  decoder,
  encoder,
  makeIdentity,
  passphrase,
  type TestIdentity,
} from '../helpers/identities.ts';
import { pkeskAlgorithms } from './helpers.ts';

let alice: TestIdentity;
let bob: TestIdentity;
let classicalCarol: TestIdentity;

beforeAll(async () => {
  alice = await makeIdentity('alice@example.org');
  bob = await makeIdentity('bob@example.org');
  const carol = await generateIdentity({
    address: 'carol@example.org',
    passphrase,
    postQuantum: false,
  });
  classicalCarol = {
    ...carol,
    address: 'carol@example.org',
    unlocked: await unlockSecretKey(carol.secretKey, passphrase),
  };
});

describe('post-quantum identities', () => {
  it('generates an algorithm-35 subkey by default', async () => {
    expect(alice.postQuantumSubkeyFingerprint).toMatch(/^[0-9a-f]{40}$/);
    const info = await readCertificate(alice.certificate);
    expect(info.hasEncryptionSubkey).toBe(true);
    expect(info.hasPostQuantumSubkey).toBe(true);
    expect(info.postQuantumSubkeyFingerprint).toBe(alice.postQuantumSubkeyFingerprint);
  });

  it('compat identity has no PQ subkey', async () => {
    expect(classicalCarol.postQuantumSubkeyFingerprint).toBeNull();
    const info = await readCertificate(classicalCarol.certificate);
    expect(info.hasPostQuantumSubkey).toBe(false);
    expect(info.postQuantumSubkeys).toEqual([]);
  });

  it('export keeps the subkey and binding', async () => {
    const binary = await certificateToBinary(alice.certificate);
    const [block] = await findMlkemX25519Subkeys(binary, 'export');
    expect(block?.subkeys).toHaveLength(1);
    expect(block?.subkeys[0]?.signatures).toHaveLength(1);
    expect(block?.subkeys[0]?.secret).toBeNull();

    const info = await readCertificate(binary);
    expect(info.postQuantumSubkeyFingerprint).toBe(alice.postQuantumSubkeyFingerprint);
    const again = await readCertificate(info.armored);
    expect(again.postQuantumSubkeyFingerprint).toBe(alice.postQuantumSubkeyFingerprint);
  });

  it('secret key subkey is passphrase-protected', async () => {
    const [block] = await findMlkemX25519Subkeys(
      await (await import('../../src/pq/packet-framing.ts')).dearmor(alice.secretKey, 'secret key'),
      'secret key',
    );
    expect(block?.subkeys[0]?.secret?.isProtected).toBe(true);
    await expect(unlockSecretKey(alice.secretKey, 'wrong passphrase')).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });
  });
});

describe('post-quantum encryption', () => {
  it('plans pq when all recipients have PQ subkeys', async () => {
    const plan = await planEncryption([bob.certificate, alice.certificate]);
    expect(plan.mode).toBe('pq');
    expect(plan.perRecipient.map((recipient) => recipient.pq)).toEqual([true, true]);
    expect(plan.perRecipient[0]!.fingerprint).toBe(bob.fingerprint);
  });

  it('encrypts alice to bob with only algorithm-35 PKESKs', async () => {
    const data = encoder.encode('post-quantum hello\r\n');
    const { message, plan } = await encryptAndSignWithPlan({
      data,
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
    });
    expect(plan.mode).toBe('pq');
    expect(await pkeskAlgorithms(message)).toEqual([35, 35]);

    for (const reader of [bob, alice]) {
      const result = await decryptAndVerify({
        message,
        decryptionKeys: [reader.unlocked],
        verificationCertificates: [alice.certificate],
        expectedSignerAddress: 'alice@example.org',
      });
      expect(decoder.decode(result.data)).toBe('post-quantum hello\r\n');
      expect(result.decryptedWith.postQuantum).toBe(true);
      expect(result.decryptedWith.subkeyFingerprint).toBe(reader.postQuantumSubkeyFingerprint);
      expect(result.decryptedWith.primaryFingerprint).toBe(reader.fingerprint);
      expect(result.signatures[0]!.status).toBe('valid');
    }
  });

  it('decrypts with a locked secret key and passphrase', async () => {
    const message = await encryptAndSign({
      data: encoder.encode('locked'),
      recipientCertificates: [bob.certificate],
      signingKey: { secretKey: alice.secretKey, passphrase },
      encryptToSigner: false,
    });
    expect(await pkeskAlgorithms(message)).toEqual([35]);
    const result = await decryptAndVerify({
      message,
      decryptionKeys: [{ secretKey: bob.secretKey, passphrase }],
      verificationCertificates: [alice.certificate],
    });
    expect(decoder.decode(result.data)).toBe('locked');
    expect(result.decryptedWith.postQuantum).toBe(true);
  });

  it('falls back to classical for a mixed set', async () => {
    const plan = await planEncryption([bob.certificate, classicalCarol.certificate]);
    expect(plan.mode).toBe('classical');
    expect(plan.reason).toContain(classicalCarol.fingerprint);
    expect(plan.perRecipient.map((recipient) => recipient.pq)).toEqual([true, false]);

    const result = await encryptAndSignWithPlan({
      data: encoder.encode('mixed'),
      recipientCertificates: [bob.certificate, classicalCarol.certificate],
      signingKey: alice.unlocked,
    });
    expect(result.plan.mode).toBe('classical');
    expect(await pkeskAlgorithms(result.message)).toEqual([18, 18, 18]);
    for (const reader of [bob, classicalCarol, alice]) {
      const decrypted = await decryptAndVerify({
        message: result.message,
        decryptionKeys: [reader.unlocked],
        verificationCertificates: [alice.certificate],
      });
      expect(decoder.decode(decrypted.data)).toBe('mixed');
      expect(decrypted.decryptedWith.postQuantum).toBe(false);
    }
  });

  it("mode 'pq' rejects a mixed set", async () => {
    await expect(
      encryptAndSign({
        data: encoder.encode('x'),
        recipientCertificates: [classicalCarol.certificate],
        signingKey: alice.unlocked,
        mode: 'pq',
      }),
    ).rejects.toMatchObject({ code: 'NO_ENCRYPTION_SUBKEY' });
  });

  it("mode 'classical' skips PQ subkeys", async () => {
    const result = await encryptAndSignWithPlan({
      data: encoder.encode('classical'),
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
      mode: 'classical',
    });
    expect(result.plan.mode).toBe('classical');
    expect(await pkeskAlgorithms(result.message)).toEqual([18, 18]);
  });

  it('cleared key no longer decrypts', async () => {
    const message = await encryptAndSign({
      data: encoder.encode('x'),
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
    });
    const unlocked = await unlockSecretKey(bob.secretKey, passphrase);
    unlocked.clear();
    await expect(
      decryptAndVerify({ message, decryptionKeys: [unlocked], verificationCertificates: [] }),
    ).rejects.toMatchObject({ code: 'KEY_CLEARED' });
  });

  it('names PQ recipients when no key matches', async () => {
    const message = await encryptAndSign({
      data: encoder.encode('for bob'),
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
      encryptToSigner: false,
    });
    const error = await decryptAndVerify({
      message,
      decryptionKeys: [classicalCarol.unlocked],
      verificationCertificates: [],
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'KEY_NOT_FOUND' });
    expect((error as Error).message).toContain(bob.postQuantumSubkeyFingerprint!.slice(-16));
  });
});
