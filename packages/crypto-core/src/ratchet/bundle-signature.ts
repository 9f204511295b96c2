// Signing and verifying a prekey bundle with the identity's OpenPGP key through crypto-core's
// signDetached/verifyDetached (docs/RATCHET.md section 2.2). The signature covers exactly the
// canonical bundle bytes; a bundle is used only after its signature, fingerprint and dates check.
import { readCertificate } from '../certificate.ts';
import type { SecretKeyInput } from '../secret-key.ts';
import { signDetached, verifyDetached } from '../signature.ts';
import { bytesEqual, toHex } from './bytes.ts';
import { decodeBundle, decodeSignedBundle, type PrekeyBundle } from './bundle.ts';
import { RatchetError } from './errors.ts';

/** Signs canonical bundle bytes and returns the MIME part body framing inputs. */
export async function signPrekeyBundle(options: {
  bundleBytes: Uint8Array;
  signingKey: SecretKeyInput;
  date?: Date;
}): Promise<{ bundleBytes: Uint8Array; signature: string }> {
  decodeBundle(options.bundleBytes);
  const signature = await signDetached({
    data: options.bundleBytes,
    signingKey: options.signingKey,
    ...(options.date ? { date: options.date } : {}),
  });
  return { bundleBytes: options.bundleBytes, signature };
}

/**
 * Reads an `application/x-sealpost-prekey-bundle` body and returns the bundle only when the
 * signature is valid for `certificate`, the bundle names that certificate's fingerprint, and
 * `now` lies between its creation and expiry.
 */
export async function verifyPrekeyBundle(options: {
  body: Uint8Array;
  certificate: string | Uint8Array;
  now?: Date;
}): Promise<PrekeyBundle> {
  const now = options.now ?? new Date();
  const signed = decodeSignedBundle(options.body);
  const bundle = decodeBundle(signed.bundleBytes);
  const certificate = await readCertificate(options.certificate);

  const results = await verifyDetached({
    data: signed.bundleBytes,
    signature: signed.signature,
    verificationCertificates: [options.certificate],
    date: now,
  });
  if (!results.some((result) => result.status === 'valid')) {
    const statuses = results.map((result) => result.status).join(', ') || 'no signature';
    throw new RatchetError(
      'PREKEY_BUNDLE_INVALID',
      `The prekey bundle signature did not verify against certificate ${certificate.fingerprint} ` +
        `(${statuses}). Ignore this bundle and keep the previous one.`,
    );
  }
  if (!bytesEqual(bundle.fingerprint, Buffer.from(certificate.fingerprint, 'hex'))) {
    throw new RatchetError(
      'PREKEY_BUNDLE_INVALID',
      `The prekey bundle names certificate ${toHex(bundle.fingerprint)}, but it was verified ` +
        `against ${certificate.fingerprint}. Ignore this bundle.`,
    );
  }
  const time = now.getTime();
  if (time < bundle.createdAt || time >= bundle.expiresAt) {
    throw new RatchetError(
      'PREKEY_BUNDLE_EXPIRED',
      `The prekey bundle ${bundle.prekeyId} is valid from ${new Date(bundle.createdAt).toISOString()} ` +
        `to ${new Date(bundle.expiresAt).toISOString()}, not at ${now.toISOString()}. ` +
        'Use OpenPGP until the contact sends a newer bundle.',
    );
  }
  return bundle;
}
