// Every secret-key operation keeps the ML-KEM-768+X25519 (algorithm 35) secret subkey and its
// binding: a passphrase change, export and import, re-import, the certificate of an unlocked
// key, and the unprotected form that the Stateless OpenPGP CLI exchanges. Each round trip
// ends by decrypting a message that only the algorithm-35 subkey can decrypt.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decryptAndVerify,
  encryptAndSign,
  exportSecretKey,
  exportUnprotectedSecretKey,
  importSecretKey,
  openUnprotectedSecretKey,
  protectSecretKey,
  readCertificate,
  readSecretKeyInfo,
  unlockSecretKey,
  type UnlockedKey,
} from '../../src/index.ts';
import { dearmor } from '../../src/pq/packet-framing.ts';
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
/** A message from alice to bob whose only PKESK is for bob's algorithm-35 subkey. */
let pqOnlyMessage: string;

beforeAll(async () => {
  alice = await makeIdentity('alice@example.org');
  bob = await makeIdentity('bob@example.org');
  pqOnlyMessage = await encryptAndSign({
    data: encoder.encode('only the PQ subkey opens this'),
    recipientCertificates: [bob.certificate],
    signingKey: alice.unlocked,
    encryptToSigner: false,
    mode: 'pq',
  });
});

async function decryptsPqOnly(key: UnlockedKey): Promise<void> {
  const result = await decryptAndVerify({
    message: pqOnlyMessage,
    decryptionKeys: [key],
    verificationCertificates: [alice.certificate],
  });
  expect(decoder.decode(result.data)).toBe('only the PQ subkey opens this');
  expect(result.decryptedWith.postQuantum).toBe(true);
  expect(result.decryptedWith.subkeyFingerprint).toBe(bob.postQuantumSubkeyFingerprint);
}

async function secretSubkeyOf(armored: string) {
  const blocks = await findMlkemX25519Subkeys(await dearmor(armored, 'key'), 'key');
  expect(blocks).toHaveLength(1);
  expect(blocks[0]!.subkeys).toHaveLength(1);
  return blocks[0]!.subkeys[0]!;
}

describe('PQ subkey through secret-key operations', () => {
  it('message is PQ only', async () => {
    expect(await pkeskAlgorithms(pqOnlyMessage)).toEqual([35]);
  });

  it('passphrase change keeps it', async () => {
    const changed = await protectSecretKey(bob.secretKey, 'new passphrase', passphrase);
    const subkey = await secretSubkeyOf(changed);
    expect(subkey.secret?.isProtected).toBe(true);
    expect(subkey.signatures).toHaveLength(1);

    await expect(unlockSecretKey(changed, passphrase)).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });
    const unlocked = await unlockSecretKey(changed, 'new passphrase');
    await decryptsPqOnly(unlocked);
    unlocked.clear();
  });

  it('passphrase change rejects a wrong old passphrase', async () => {
    await expect(protectSecretKey(bob.secretKey, 'next', 'wrong')).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });
  });

  it('export then import keeps it', async () => {
    const exported = await exportSecretKey(bob.unlocked, 'backup passphrase');
    expect((await secretSubkeyOf(exported)).secret?.isProtected).toBe(true);

    const imported = await importSecretKey(exported, 'backup passphrase');
    expect(imported.info.isProtected).toBe(true);
    expect(imported.info.postQuantumSubkeyFingerprint).toBe(bob.postQuantumSubkeyFingerprint);
    const certificate = await readCertificate(imported.certificate);
    expect(certificate.postQuantumSubkeyFingerprint).toBe(bob.postQuantumSubkeyFingerprint);

    const unlocked = await unlockSecretKey(imported.secretKey, 'backup passphrase');
    await decryptsPqOnly(unlocked);
    unlocked.clear();
  });

  it('import checks the PQ subkey passphrase', async () => {
    await expect(importSecretKey(bob.secretKey, 'wrong')).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });
    const reimported = await importSecretKey(bob.secretKey, passphrase);
    const unlocked = await unlockSecretKey(reimported.secretKey, passphrase);
    await decryptsPqOnly(unlocked);
    unlocked.clear();
  });

  it('readSecretKeyInfo reports it', async () => {
    const info = await readSecretKeyInfo(bob.secretKey);
    expect(info.isProtected).toBe(true);
    expect(info.hasPostQuantumSubkey).toBe(true);
    expect(info.postQuantumSubkeyFingerprint).toBe(bob.postQuantumSubkeyFingerprint);
  });

  it('certificate of an unlocked key has it', async () => {
    const certificate = bob.unlocked.certificate;
    expect(certificate).toContain('PUBLIC KEY BLOCK');
    const info = await readCertificate(certificate);
    expect(info.hasPostQuantumSubkey).toBe(true);
    expect(info.postQuantumSubkeyFingerprint).toBe(bob.postQuantumSubkeyFingerprint);
    expect((await secretSubkeyOf(certificate)).secret).toBeNull();

    const message = await encryptAndSign({
      data: encoder.encode('to the unlocked certificate'),
      recipientCertificates: [certificate],
      signingKey: alice.unlocked,
      encryptToSigner: false,
    });
    expect(await pkeskAlgorithms(message)).toEqual([35]);
  });

  it('unprotected export and import keep it', async () => {
    const unprotected = exportUnprotectedSecretKey(bob.unlocked);
    expect((await secretSubkeyOf(unprotected)).secret?.isProtected).toBe(false);
    expect((await readSecretKeyInfo(unprotected)).isProtected).toBe(false);
    await expect(unlockSecretKey(unprotected, passphrase)).rejects.toMatchObject({
      code: 'UNPROTECTED_SECRET_KEY',
    });

    const opened = await openUnprotectedSecretKey(unprotected);
    await decryptsPqOnly(opened);
    opened.clear();

    const imported = await importSecretKey(unprotected, 'protected again');
    expect((await secretSubkeyOf(imported.secretKey)).secret?.isProtected).toBe(true);
    const unlocked = await unlockSecretKey(imported.secretKey, 'protected again');
    await decryptsPqOnly(unlocked);
    unlocked.clear();
  });

  it('protected key does not open unprotected', async () => {
    await expect(openUnprotectedSecretKey(bob.secretKey)).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });
  });

  it('clear wipes the PQ secret', async () => {
    const unlocked = await unlockSecretKey(bob.secretKey, passphrase);
    unlocked.clear();
    await expect(
      decryptAndVerify({
        message: pqOnlyMessage,
        decryptionKeys: [unlocked],
        verificationCertificates: [],
      }),
    ).rejects.toMatchObject({ code: 'KEY_CLEARED' });
  });
});
