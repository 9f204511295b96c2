// Generation of a mail identity: a v4 certificate with an EdDSA (Ed25519, algorithm 22)
// primary key that certifies and signs, an ECDH Curve25519 (algorithm 18) encryption subkey,
// and a revocation certificate. These are the legacy algorithm IDs that GnuPG 2.2 and
// Sequoia 1.x read; RFC 9580's X25519/Ed25519 IDs (25, 27) are rejected by them.
import { generateKey, readKey } from 'openpgp';
import { requireAddress } from './address.ts';
import { openpgpConfig } from './config.ts';
import { CryptoError, wrapError } from './errors.ts';
import { optionalDate, rejectUnknownOptions, requireOptions, requireString } from './input.ts';

export interface GenerateIdentityOptions {
  /** The mail address, used as the User ID's email part. */
  address: string;
  /** Display name for the User ID, e.g. "Alice Example". */
  name?: string;
  /** Passphrase that protects the returned secret key. */
  passphrase: string;
  /** Seconds from creation until the certificate expires; omitted or 0 means never. */
  keyExpirationTime?: number;
  /** Creation time of the keys and self-signatures; defaults to now. */
  date?: Date;
}

export interface GeneratedIdentity {
  fingerprint: string;
  /** Armored public certificate. */
  certificate: string;
  /** Armored secret key, protected with the passphrase. */
  secretKey: string;
  /** Armored key revocation signature, to publish if the secret key is lost or compromised. */
  revocationCertificate: string;
}

const knownOptions = ['address', 'name', 'passphrase', 'keyExpirationTime', 'date'] as const;

/** Generates a certificate, a protected secret key and a revocation certificate for an address. */
export async function generateIdentity(
  options: GenerateIdentityOptions,
): Promise<GeneratedIdentity> {
  requireOptions(options, 'generateIdentity');
  rejectUnknownOptions(options, knownOptions, 'generateIdentity');
  const address = requireAddress(options.address, 'address');
  const passphrase = requireString(options.passphrase, 'passphrase');
  const date = optionalDate(options.date, 'date');
  const keyExpirationTime = options.keyExpirationTime ?? 0;
  if (!Number.isInteger(keyExpirationTime) || keyExpirationTime < 0) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `keyExpirationTime must be a whole number of seconds (0 for never), got ${String(options.keyExpirationTime)}.`,
    );
  }
  const name = options.name === undefined ? undefined : requireString(options.name, 'name').trim();

  try {
    const generated = await generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [name ? { name, email: address } : { email: address }],
      passphrase,
      keyExpirationTime,
      date,
      format: 'armored',
      config: { ...openpgpConfig, v6Keys: false },
    });
    const certificate = await readKey({ armoredKey: generated.publicKey, config: openpgpConfig });

    return {
      fingerprint: certificate.getFingerprint(),
      certificate: generated.publicKey,
      secretKey: generated.privateKey,
      revocationCertificate: generated.revocationCertificate,
    };
  } catch (error) {
    throw wrapError(error, 'INVALID_ARGUMENT', `Key generation for ${address} failed`);
  }
}
