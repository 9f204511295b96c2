import { readSignature } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  micalgOf,
  signCleartext,
  signDetached,
  signMessage,
  verifyCleartext,
  verifyDetached,
  verifyMessage,
} from '../src/index.ts';
import { decoder, encoder, makeIdentity, type TestIdentity } from './helpers/identities.ts';

let alice: TestIdentity;
let mallory: TestIdentity;

beforeAll(async () => {
  [alice, mallory] = await Promise.all([
    makeIdentity('alice@example.org'),
    makeIdentity('mallory@example.org'),
  ]);
});

describe('detached signatures', () => {
  const part = encoder.encode('Content-Type: text/plain; charset=utf-8\r\n\r\nSigned body.\r\n');

  it('verify over the exact signed bytes', async () => {
    const signature = await signDetached({ data: part, signingKey: alice.unlocked });
    expect(signature).toContain('-----BEGIN PGP SIGNATURE-----');

    const results = await verifyDetached({
      data: part,
      signature,
      verificationCertificates: [alice.certificate],
      expectedSignerAddress: 'alice@example.org',
    });
    expect(results).toHaveLength(1);
    expect(results[0]!.status).toBe('valid');
    expect(results[0]!.signerFingerprint).toBe(alice.fingerprint);
    expect(results[0]!.signerMatchesAddress).toBe(true);
  });

  it('state their hash for micalg', async () => {
    const signature = await signDetached({ data: part, signingKey: alice.unlocked });
    const parsed = await readSignature({ armoredSignature: signature });
    expect(parsed.packets[0]!.signatureType).toBe(0);
    expect(parsed.packets[0]!.hashAlgorithm).toBe(10);
    expect(await micalgOf(signature)).toBe('pgp-sha512');
  });

  it('are invalid over changed bytes', async () => {
    const signature = await signDetached({ data: part, signingKey: alice.unlocked });
    const changed = part.slice();
    changed[changed.length - 4] = 0x21;

    const results = await verifyDetached({
      data: changed,
      signature,
      verificationCertificates: [alice.certificate],
    });
    expect(results[0]!.status).toBe('invalid');
    expect(results[0]!.signerMatchesAddress).toBe(false);
    expect(results[0]!.reason).toBeTruthy();
  });

  it('report unknown-key without the signer certificate', async () => {
    const signature = await signDetached({ data: part, signingKey: mallory.unlocked });
    const results = await verifyDetached({
      data: part,
      signature,
      verificationCertificates: [alice.certificate],
    });
    expect(results[0]!.status).toBe('unknown-key');
    expect(results[0]!.keyId).toBe(mallory.fingerprint.slice(-16));
  });

  it('reject a malformed signature', async () => {
    await expect(
      verifyDetached({ data: part, signature: 'not a signature', verificationCertificates: [] }),
    ).rejects.toMatchObject({ code: 'MESSAGE_MALFORMED' });
  });
});

describe('cleartext signed messages', () => {
  it('return the signed text and a valid status', async () => {
    const text = 'Hello Bob,\n- a dashed line\nFrom the start\n';
    const armored = await signCleartext({ text, signingKey: alice.unlocked });
    expect(armored).toContain('-----BEGIN PGP SIGNED MESSAGE-----');
    expect(armored).toContain('- - a dashed line');

    const result = await verifyCleartext({
      message: `Quoted text before\n${armored}\nfooter`,
      verificationCertificates: [alice.certificate],
      expectedSignerAddress: 'ALICE@example.org',
    });
    expect(result.text.replace(/\r\n/g, '\n').trimEnd()).toBe(text.trimEnd());
    expect(result.signatures[0]!.status).toBe('valid');
    expect(result.signatures[0]!.signerMatchesAddress).toBe(true);
  });

  it('are invalid after the text changed', async () => {
    const armored = await signCleartext({ text: 'Pay 10 EUR\n', signingKey: alice.unlocked });
    const result = await verifyCleartext({
      message: armored.replace('Pay 10 EUR', 'Pay 99 EUR'),
      verificationCertificates: [alice.certificate],
    });
    expect(result.signatures[0]!.status).toBe('invalid');
  });
});

describe('signed-only messages', () => {
  it('verify and return the data', async () => {
    const data = encoder.encode('signed, not encrypted');
    const armored = await signMessage({ data, signingKey: alice.unlocked });
    const result = await verifyMessage({
      message: armored,
      verificationCertificates: [alice.certificate],
    });

    expect(decoder.decode(result.data)).toBe('signed, not encrypted');
    expect(result.signatures[0]!.status).toBe('valid');
  });
});
