// Subkey rotation: new Curve25519 and algorithm-35 subkeys are bound, the fingerprint stays,
// messages to the old subkeys still decrypt and new messages use the new subkeys.
import { describe, expect, it } from 'vitest';
import {
  decryptAndVerify,
  encryptAndSignWithPlan,
  generateIdentity,
  readCertificate,
  rotateEncryptionSubkeys,
  unlockSecretKey,
} from '../src/index.ts';

const passphrase = 'rotation passphrase';
const encoder = new TextEncoder();

async function decryptWith(secretKey: string, message: string) {
  const key = await unlockSecretKey(secretKey, passphrase);
  try {
    return await decryptAndVerify({ message, decryptionKeys: [key], verificationCertificates: [] });
  } finally {
    key.clear();
  }
}

describe('rotateEncryptionSubkeys', () => {
  it('keeps old subkeys and uses new ones', async () => {
    // Created in the past, so the new subkeys are newer and already valid when checked.
    const identity = await generateIdentity({
      address: 'rotate@example.org',
      passphrase,
      date: new Date(Date.now() - 60_000),
    });
    const before = await readCertificate(identity.certificate);
    const toOldClassical = await encryptAndSignWithPlan({
      data: encoder.encode('old classical'),
      recipientCertificates: [identity.certificate],
      encryptToSigner: false,
      mode: 'classical',
    });
    const toOldPostQuantum = await encryptAndSignWithPlan({
      data: encoder.encode('old pq'),
      recipientCertificates: [identity.certificate],
      encryptToSigner: false,
      mode: 'pq',
    });

    const rotated = await rotateEncryptionSubkeys(identity.secretKey, passphrase, {
      postQuantum: true,
      date: new Date(before.created.getTime() + 30_000),
    });
    const after = await readCertificate(rotated.certificate);
    expect(after.fingerprint).toBe(before.fingerprint);
    expect(rotated.subkeyFingerprints).toHaveLength(2);
    expect(after.postQuantumSubkeys).toHaveLength(2);
    expect(after.postQuantumSubkeyFingerprint).toBe(rotated.subkeyFingerprints[1]);

    for (const [message, text] of [
      [toOldClassical.message, 'old classical'],
      [toOldPostQuantum.message, 'old pq'],
    ] as const) {
      const result = await decryptWith(rotated.secretKey, message);
      expect(new TextDecoder().decode(result.data)).toBe(text);
    }

    for (const mode of ['classical', 'pq'] as const) {
      const { message } = await encryptAndSignWithPlan({
        data: encoder.encode(`new ${mode}`),
        recipientCertificates: [rotated.certificate],
        encryptToSigner: false,
        mode,
      });
      const result = await decryptWith(rotated.secretKey, message);
      expect(new TextDecoder().decode(result.data)).toBe(`new ${mode}`);
      const expected =
        mode === 'pq' ? rotated.subkeyFingerprints[1] : rotated.subkeyFingerprints[0];
      expect(result.decryptedWith.subkeyFingerprint.toLowerCase()).toBe(expected!.toLowerCase());
    }
  });

  it('rejects a wrong passphrase', async () => {
    const identity = await generateIdentity({
      address: 'wrong@example.org',
      passphrase,
      postQuantum: false,
    });
    await expect(
      rotateEncryptionSubkeys(identity.secretKey, 'not it', { postQuantum: false }),
    ).rejects.toMatchObject({ code: 'INVALID_PASSPHRASE' });
  });
});
