// Applying a key revocation signature (RFC 9580 section 5.2.1.16, type 0x20) to a
// certificate. After this, signatures by the certificate verify as `revoked-key` and it is no
// longer offered for encryption.
import { revokeKey } from 'openpgp';
import { parseCertificate } from './certificate.ts';
import { openpgpConfig } from './config.ts';
import { CryptoError, describeError } from './errors.ts';
import { requireString, type OpenPgpData } from './input.ts';

/**
 * Merges a revocation certificate into a certificate and returns the revoked certificate,
 * armored and public-only. Throws REVOCATION_INVALID if the revocation does not verify
 * against the certificate's primary key.
 */
export async function applyRevocation(
  certificate: OpenPgpData,
  revocationCertificate: string,
): Promise<string> {
  const publicKey = await parseCertificate(certificate);
  requireString(revocationCertificate, 'revocationCertificate');

  try {
    const { publicKey: revoked } = await revokeKey({
      key: publicKey,
      revocationCertificate,
      format: 'armored',
      config: openpgpConfig,
    });
    return revoked;
  } catch (error) {
    throw new CryptoError(
      'REVOCATION_INVALID',
      `The revocation certificate does not apply to certificate ${publicKey.getFingerprint()} ` +
        `(${describeError(error)}). Use the revocation certificate made for this key.`,
      { cause: error },
    );
  }
}
