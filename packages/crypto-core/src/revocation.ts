// Making and applying a key revocation signature (RFC 9580 section 5.2.1.16, type 0x20) for a
// certificate. After this, signatures by the certificate verify as `revoked-key` and it is no
// longer offered for encryption. Making one needs the unlocked secret primary key.
import { armor, enums, PacketList, revokeKey } from 'openpgp';
import { parseCertificate } from './certificate.ts';
import { openpgpConfig, openpgpFullConfig } from './config.ts';
import { CryptoError, describeError, wrapError } from './errors.ts';
import { requireString, type OpenPgpData } from './input.ts';
import { clearPrivateKey, decryptWithPassphrase, parseSecretKeyBlock } from './secret-key.ts';

/** Reason codes of the Reason for Revocation subpacket (RFC 9580 signature subpacket type 29). */
export type RevocationReason = 'no-reason' | 'superseded' | 'compromised' | 'retired';

const REASON_FLAGS: Record<RevocationReason, number> = {
  'no-reason': enums.reasonForRevocation.noReason,
  superseded: enums.reasonForRevocation.keySuperseded,
  compromised: enums.reasonForRevocation.keyCompromised,
  retired: enums.reasonForRevocation.keyRetired,
};

/**
 * Signs a key revocation signature with a protected secret key and returns it armored, as a
 * revocation certificate for `applyRevocation`. The unlocked key is wiped before returning.
 */
export async function createRevocationCertificate(
  secretKey: OpenPgpData,
  passphrase: string,
  options: { reason: RevocationReason; string?: string; date?: Date },
): Promise<string> {
  requireString(passphrase, 'passphrase');
  const flag = REASON_FLAGS[options.reason];
  if (flag === undefined) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `Unknown revocation reason ${JSON.stringify(options.reason)}; use one of ${Object.keys(REASON_FLAGS).join(', ')}.`,
    );
  }
  const { privateKey } = await parseSecretKeyBlock(secretKey);
  const unlocked = await decryptWithPassphrase(privateKey, passphrase);
  try {
    const { privateKey: revoked } = await revokeKey({
      key: unlocked,
      reasonForRevocation: { flag, string: options.string ?? '' },
      date: options.date ?? new Date(),
      format: 'object',
      config: openpgpConfig,
    });
    const certificate = await revoked.getRevocationCertificate(options.date, openpgpFullConfig);
    clearPrivateKey(revoked);
    if (typeof certificate !== 'string') {
      throw new Error('openpgp.js returned no revocation signature');
    }
    return certificate;
  } catch (error) {
    throw wrapError(
      error,
      'KEY_MALFORMED',
      `Making a revocation certificate for ${privateKey.getFingerprint()} failed`,
    );
  } finally {
    clearPrivateKey(unlocked);
  }
}

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

/**
 * Returns each key revocation signature (type 0x20) attached to the primary key of
 * `certificate`, armored on its own as a revocation certificate. Nothing is verified here:
 * pass each one to `applyRevocation` with the stored certificate, which verifies it against
 * that certificate's primary key.
 */
export async function revocationCertificatesOf(certificate: OpenPgpData): Promise<string[]> {
  const publicKey = await parseCertificate(certificate);
  return publicKey.revocationSignatures
    .filter((signature) => signature.signatureType === enums.signature.keyRevocation)
    .map((signature) => {
      const packets = new PacketList();
      packets.push(signature);
      return armor(enums.armor.publicKey, packets.write(), undefined, undefined, undefined, true);
    });
}
