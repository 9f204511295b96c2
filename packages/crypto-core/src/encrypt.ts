// Sign-then-encrypt in one OpenPGP message (RFC 9580 section 10.3: one-pass signature and
// literal data inside a SEIPD packet), as PGP/MIME (RFC 3156 section 6.2) and inline PGP
// carry it. SEIPDv1 with MDC is used unless every recipient advertises SEIPDv2 (AEAD).
import { createMessage, encrypt, type PrivateKey, type PublicKey } from 'openpgp';
import { parseCertificateList } from './certificate.ts';
import { openpgpConfig, openpgpFullConfig } from './config.ts';
import { CryptoError, describeError, wrapError } from './errors.ts';
import {
  optionalDate,
  rejectUnknownOptions,
  requireArray,
  requireBytes,
  requireOptions,
} from './input.ts';
import { withPrivateKeys, type SecretKeyInput } from './secret-key.ts';

export interface EncryptAndSignOptions {
  data: Uint8Array;
  /** Armored or binary certificates of the recipients; duplicates are encrypted to once. */
  recipientCertificates: Array<string | Uint8Array>;
  signingKey: SecretKeyInput;
  /** Also encrypt to the signer's own certificate, so the sent copy stays readable. Default true. */
  encryptToSigner?: boolean;
  /** Signature creation time; defaults to now. */
  date?: Date;
}

const knownOptions = [
  'data',
  'recipientCertificates',
  'signingKey',
  'encryptToSigner',
  'date',
] as const;

/** Signs the data with the signing key and encrypts it to every recipient. Returns armored text. */
export async function encryptAndSign(options: EncryptAndSignOptions): Promise<string> {
  requireOptions(options, 'encryptAndSign');
  rejectUnknownOptions(options, knownOptions, 'encryptAndSign');
  const data = requireBytes(options.data, 'data');
  const certificateList = requireArray(options.recipientCertificates, 'recipientCertificates');
  const date = optionalDate(options.date, 'date');
  const encryptToSigner = options.encryptToSigner ?? true;
  if (certificateList.length === 0 && !encryptToSigner) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      'recipientCertificates is empty; pass at least one recipient certificate.',
    );
  }
  const parsed = await parseCertificateList(certificateList, 'recipientCertificates');

  return withPrivateKeys([options.signingKey], 'signingKey', async ([signingKey]) => {
    const signer = signingKey as PrivateKey;
    const recipients = uniqueByFingerprint(
      encryptToSigner ? [...parsed, signer.toPublic()] : parsed,
    );
    await Promise.all(recipients.map((recipient) => requireEncryptionKey(recipient, date)));
    await requireSigningKey(signer, date);

    try {
      const message = await createMessage({ binary: data, date });
      return await encrypt({
        message,
        encryptionKeys: recipients,
        signingKeys: signer,
        date,
        format: 'armored',
        config: openpgpConfig,
      });
    } catch (error) {
      throw wrapError(error, 'ENCRYPT_FAILED', 'Encryption failed');
    }
  });
}

export function uniqueByFingerprint(certificates: readonly PublicKey[]): PublicKey[] {
  const seen = new Set<string>();
  return certificates.filter((certificate) => {
    const fingerprint = certificate.getFingerprint();
    if (seen.has(fingerprint)) return false;
    seen.add(fingerprint);
    return true;
  });
}

async function requireEncryptionKey(certificate: PublicKey, date: Date): Promise<void> {
  try {
    await certificate.getEncryptionKey(undefined, date, undefined, openpgpFullConfig);
  } catch (error) {
    throw new CryptoError(
      'NO_ENCRYPTION_SUBKEY',
      `Certificate ${certificate.getFingerprint()} has no usable encryption subkey (${describeError(error)}). ` +
        'Ask its owner for a current, unrevoked certificate.',
      { cause: error },
    );
  }
}

/** Checks the signing key is usable at the date, so an expired or revoked key fails early. */
export async function requireSigningKey(privateKey: PrivateKey, date: Date): Promise<void> {
  try {
    await privateKey.getSigningKey(undefined, date, undefined, openpgpFullConfig);
  } catch (error) {
    throw new CryptoError(
      'NO_SIGNING_KEY',
      `Secret key ${privateKey.getFingerprint()} has no usable signing key (${describeError(error)}). ` +
        'Extend its expiration or use another identity.',
      { cause: error },
    );
  }
}
