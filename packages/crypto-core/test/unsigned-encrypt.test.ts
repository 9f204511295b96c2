// Encryption without a signing key, as the Stateless OpenPGP CLI's "encrypt" without
// "--sign-with" needs: the message carries no signature, and the signer's copy is refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptAndVerify, encryptAndSignWithPlan, generateIdentity } from '../src/index.ts';
import { pkeskAlgorithms } from './pq/helpers.ts';
import {
  decoder,
  encoder,
  makeIdentity,
  passphrase,
  type TestIdentity,
} from './helpers/identities.ts';

let bob: TestIdentity;

beforeAll(async () => {
  bob = await makeIdentity('bob@example.org');
});

describe('unsigned encryption', () => {
  it('PQ recipient gets an unsigned message', async () => {
    const { message, plan } = await encryptAndSignWithPlan({
      data: encoder.encode('no signature'),
      recipientCertificates: [bob.certificate],
    });
    expect(plan.mode).toBe('pq');
    expect(await pkeskAlgorithms(message)).toEqual([35]);
    const result = await decryptAndVerify({
      message,
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [bob.certificate],
    });
    expect(decoder.decode(result.data)).toBe('no signature');
    expect(result.signatures).toEqual([]);
  });

  it('classical recipient gets an unsigned message', async () => {
    const carol = await generateIdentity({
      address: 'carol@example.org',
      passphrase,
      postQuantum: false,
    });
    const { message, plan } = await encryptAndSignWithPlan({
      data: encoder.encode('classical'),
      recipientCertificates: [carol.certificate],
    });
    expect(plan.mode).toBe('classical');
    expect(await pkeskAlgorithms(message)).toEqual([18]);
    const result = await decryptAndVerify({
      message,
      decryptionKeys: [{ secretKey: carol.secretKey, passphrase }],
      verificationCertificates: [],
    });
    expect(decoder.decode(result.data)).toBe('classical');
    expect(result.signatures).toEqual([]);
  });

  it('encryptToSigner without a signer is rejected', async () => {
    await expect(
      encryptAndSignWithPlan({
        data: encoder.encode('x'),
        recipientCertificates: [bob.certificate],
        encryptToSigner: true,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
