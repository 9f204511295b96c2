// Fingerprint verification (typed and by openpgp4fpr: QR code, drawn as PNG and read back with
// a QR decoder) and the accept-key flow for a changed key.

import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCertificate } from '@sealpost/crypto-core';
import { parseOpenpgp4fprUri } from '../../src/core/trust.ts';
import { contactCertificate, encode, openLocalUser, type LocalUser } from './helpers.ts';

// jsqr is CommonJS with `exports.default`; depending on the loader the default import is the
// function itself or the module object that contains it.
type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR: JsQr =
  typeof jsQRModule === 'function'
    ? (jsQRModule as unknown as JsQr)
    : (jsQRModule as unknown as { default: JsQr }).default;

function decodeQr(png: Buffer): string {
  const image = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  if (!code) throw new Error('no QR code found in the PNG');
  return code.data;
}

describe('trust', () => {
  let alice: LocalUser;
  let bob: LocalUser;

  beforeAll(async () => {
    alice = await openLocalUser('alice');
    bob = await openLocalUser('bob');
    await alice.sealpost.keys.import(encode(bob.sealpost.keys.exportCertificate(bob.address)), {
      keyPassphrase: null,
      replacePinned: false,
    });
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
  });

  const contact = (user: LocalUser, address: string) =>
    user.sealpost.contacts.list().find((entry) => entry.address === address);

  it('verifies a key through its QR code', async () => {
    const { uri, png } = await bob.sealpost.trust.ownQrCode(bob.address);
    const scanned = decodeQr(png);
    expect(scanned).toBe(uri);
    expect(parseOpenpgp4fprUri(scanned).fingerprint).toBe(bob.sealpost.keys.list()[0]!.fingerprint);

    expect(contact(alice, bob.address)?.verifiedBy).toBeNull();
    alice.sealpost.trust.verifyUri(bob.address, scanned);
    expect(contact(alice, bob.address)?.verifiedBy).toBe('qr-code');
  });

  it('rejects a QR code of another address', async () => {
    const { uri } = await alice.sealpost.trust.ownQrCode(alice.address);
    expect(() => alice.sealpost.trust.verifyUri(bob.address, uri)).toThrow(
      expect.objectContaining({ code: 'FINGERPRINT_MISMATCH' }),
    );
  });

  it('rejects a wrong typed fingerprint', () => {
    expect(() => alice.sealpost.trust.verify(bob.address, 'AB'.repeat(20), 'fingerprint')).toThrow(
      expect.objectContaining({ code: 'FINGERPRINT_MISMATCH' }),
    );
    expect(() => alice.sealpost.trust.verify(bob.address, '1234', 'fingerprint')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('uses a changed key only after accept-key', async () => {
    const newCertificate = await contactCertificate(bob.address);
    const newFingerprint = (await readCertificate(newCertificate)).fingerprint;
    const oldFingerprint = contact(alice, bob.address)!.fingerprint!;
    const learned = await alice.sealpost.contacts.learn({
      address: bob.address,
      keydata: encode(newCertificate),
      source: 'autocrypt',
      preferEncrypt: 'mutual',
      seenAt: new Date(),
    });
    expect(learned?.outcome).toBe('changed-flagged');

    expect(() => alice.sealpost.trust.verify(bob.address, newFingerprint, 'fingerprint')).toThrow(
      /accept-key/,
    );
    const accepted = alice.sealpost.trust.acceptKey(bob.address, newFingerprint);
    expect(accepted.previous).toBe(oldFingerprint);
    const after = contact(alice, bob.address);
    expect(after?.fingerprint).toBe(newFingerprint);
    expect(after?.changedFingerprints).toEqual([]);
    // The verification belonged to the old key.
    expect(after?.verifiedBy).toBeNull();
  });

  it('accept-key --verified verifies the new key', async () => {
    const newCertificate = await contactCertificate(bob.address);
    const newFingerprint = (await readCertificate(newCertificate)).fingerprint;
    const learned = await alice.sealpost.contacts.learn({
      address: bob.address,
      keydata: encode(newCertificate),
      source: 'autocrypt',
      preferEncrypt: 'mutual',
      seenAt: new Date(),
    });
    expect(learned?.outcome).toBe('changed-flagged');

    const accepted = alice.sealpost.trust.acceptKey(bob.address, newFingerprint, {
      verified: true,
    });
    expect(accepted.verified).toBe(true);
    const after = contact(alice, bob.address);
    expect(after?.fingerprint).toBe(newFingerprint);
    expect(after?.verifiedBy).toBe('fingerprint');
  });

  it('rejects accept-key for an unknown fingerprint', () => {
    expect(() => alice.sealpost.trust.acceptKey(bob.address, 'CD'.repeat(20))).toThrow(
      expect.objectContaining({ code: 'CONTACT_CERTIFICATE_NOT_FOUND' }),
    );
  });
});
