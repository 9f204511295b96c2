// Expiry extension: the primary key, the Curve25519 subkey and the algorithm-35 subkey get the
// new expiry, the key keeps decrypting old mail, and past dates and wrong passphrases are
// rejected.
import { describe, expect, it } from 'vitest';
import {
  decryptAndVerify,
  encryptAndSignWithPlan,
  extendCertificateExpiry,
  generateIdentity,
  readCertificate,
  unlockSecretKey,
} from '../src/index.ts';

const passphrase = 'expiry passphrase';
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

describe('extendCertificateExpiry', () => {
  it('moves an expiring key past its expiry', async () => {
    const created = new Date(Date.now() - 10_000);
    const identity = await generateIdentity({
      address: 'expiry@example.org',
      passphrase,
      keyExpirationTime: 60,
      date: created,
    });
    const { message } = await encryptAndSignWithPlan({
      data: new TextEncoder().encode('before the extension'),
      recipientCertificates: [identity.certificate],
      encryptToSigner: false,
      mode: 'pq',
    });

    const expires = new Date(created.getTime() + 2 * YEAR_MS);
    const extended = await extendCertificateExpiry(identity.secretKey, passphrase, { expires });
    const later = new Date(created.getTime() + YEAR_MS);
    const before = await readCertificate(identity.certificate, { date: later });
    expect(before.isExpired).toBe(true);
    const after = await readCertificate(extended.certificate, { date: later });
    expect(after.fingerprint).toBe(before.fingerprint);
    expect(after.isExpired).toBe(false);
    expect(after.hasEncryptionSubkey).toBe(true);
    expect(after.hasPostQuantumSubkey).toBe(true);
    expect(Math.abs(after.expires!.getTime() - expires.getTime())).toBeLessThan(1000);

    const key = await unlockSecretKey(extended.secretKey, passphrase);
    try {
      const decrypted = await decryptAndVerify({
        message,
        decryptionKeys: [key],
        verificationCertificates: [],
      });
      expect(new TextDecoder().decode(decrypted.data)).toBe('before the extension');
    } finally {
      key.clear();
    }
  });

  it('rejects a past expiry', async () => {
    const identity = await generateIdentity({ address: 'past@example.org', passphrase });
    await expect(
      extendCertificateExpiry(identity.secretKey, passphrase, { expires: new Date(0) }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('rejects a wrong passphrase', async () => {
    const identity = await generateIdentity({ address: 'passphrase@example.org', passphrase });
    await expect(
      extendCertificateExpiry(identity.secretKey, 'wrong passphrase', {
        expires: new Date(Date.now() + YEAR_MS),
      }),
    ).rejects.toMatchObject({ code: 'INVALID_PASSPHRASE' });
  });
});
