// Generation of a mail identity: a v4 certificate with an EdDSA (Ed25519, algorithm 22)
// primary key that certifies and signs, an ECDH Curve25519 (algorithm 18) encryption subkey,
// and a revocation certificate. These are the legacy algorithm IDs that GnuPG 2.2 and
// Sequoia 1.x read; RFC 9580's X25519/Ed25519 IDs (25, 27) are rejected by them.
// By default a second encryption subkey, ML-KEM-768+X25519 (RFC 9980 algorithm 35), is added;
// peers that do not know algorithm 35 skip it and use the Curve25519 subkey.
import { generateKey, readKey } from 'openpgp';
import { requireAddress } from './address.ts';
import { openpgpConfig } from './config.ts';
import { CryptoError, wrapError } from './errors.ts';
import { optionalDate, rejectUnknownOptions, requireOptions, requireString } from './input.ts';
import { addPostQuantumSubkey } from './pq/generate-subkey.ts';

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
  /**
   * Add an ML-KEM-768+X25519 (algorithm 35) encryption subkey. Default true; false makes a
   * classical-only certificate for peers that reject unknown subkey algorithms.
   */
  postQuantum?: boolean;
}

export interface GeneratedIdentity {
  fingerprint: string;
  /** Armored public certificate. */
  certificate: string;
  /** Armored secret key, protected with the passphrase. */
  secretKey: string;
  /** Armored key revocation signature, to publish if the secret key is lost or compromised. */
  revocationCertificate: string;
  /** Fingerprint of the ML-KEM-768+X25519 subkey, or null when postQuantum was false. */
  postQuantumSubkeyFingerprint: string | null;
}

const knownOptions = [
  'address',
  'name',
  'passphrase',
  'keyExpirationTime',
  'date',
  'postQuantum',
] as const;

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
  const postQuantum = options.postQuantum ?? true;
  if (typeof postQuantum !== 'boolean') {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `postQuantum must be true or false, got ${typeof options.postQuantum}.`,
    );
  }

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
    const identity = {
      fingerprint: certificate.getFingerprint(),
      certificate: generated.publicKey,
      secretKey: generated.privateKey,
      revocationCertificate: generated.revocationCertificate,
      postQuantumSubkeyFingerprint: null,
    };
    if (!postQuantum) return identity;

    const withSubkey = await addPostQuantumSubkey({
      certificate: generated.publicKey,
      secretKey: generated.privateKey,
      passphrase,
      date: certificate.getCreationTime(),
      keyExpirationTime,
    });
    return {
      ...identity,
      certificate: withSubkey.certificate,
      secretKey: withSubkey.secretKey,
      postQuantumSubkeyFingerprint: withSubkey.subkeyFingerprint,
    };
  } catch (error) {
    throw wrapError(error, 'INVALID_ARGUMENT', `Key generation for ${address} failed`);
  }
}
