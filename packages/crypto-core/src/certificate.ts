// Reading OpenPGP certificates (transferable public keys, RFC 9580 section 10.1), armored or
// binary, into a summary and a normalised armored public-only form. A secret key passed here
// is reduced to its public part, so no secret material leaves through a certificate.
// ML-KEM-768+X25519 (RFC 9980 algorithm 35) subkeys, which openpgp.js 6.3 drops, are read and
// written back at the packet level (pq/pq-certificate.ts).
import { readKeys as readOpenPgpKeys, type Key, type PublicKey } from 'openpgp';
import { emailsOf } from './address.ts';
import { openpgpConfig, openpgpFullConfig } from './config.ts';
import { CryptoError, describeError } from './errors.ts';
import { decodeOpenPgpData, optionalDate, type OpenPgpData } from './input.ts';
import { armorPackets } from './pq/packet-framing.ts';
import {
  blockOf,
  certificateWithPostQuantumSubkeys,
  describePostQuantumSubkeys,
  newestUsable,
  readKeyBlockPackets,
  secretKeyWithPostQuantumSubkeys,
} from './pq/pq-certificate.ts';
import type { KeyBlockPackets } from './pq/subkey-packets.ts';

export interface CertificateInfo {
  /** Primary key fingerprint, lowercase hex (40 characters for v4). */
  fingerprint: string;
  /** Primary key ID, lowercase hex (16 characters). */
  keyId: string;
  /** Key packet version: 4 for v4 certificates. */
  version: number;
  /** openpgp.js name of the primary key algorithm, e.g. "eddsaLegacy" (algorithm 22). */
  algorithm: string;
  userIds: string[];
  /** Email parts of the User IDs, lowercased and without duplicates. */
  addresses: string[];
  created: Date;
  /** When the certificate expires, or null when it never expires or is unusable. */
  expires: Date | null;
  isRevoked: boolean;
  isExpired: boolean;
  /** Whether a valid, unrevoked, unexpired encryption-capable key exists now. */
  hasEncryptionSubkey: boolean;
  /** Whether a usable ML-KEM-768+X25519 (algorithm 35) encryption subkey exists now. */
  hasPostQuantumSubkey: boolean;
  /** Fingerprint of the newest usable algorithm-35 subkey, or null. */
  postQuantumSubkeyFingerprint: string | null;
  /** Every algorithm-35 subkey, with the reason why an unusable one is ignored. */
  postQuantumSubkeys: PostQuantumSubkeyInfo[];
  /** The certificate, armored and public-only. */
  armored: string;
}

export interface PostQuantumSubkeyInfo {
  fingerprint: string;
  created: Date;
  expires: Date | null;
  usable: boolean;
  reason: string | null;
}

/** Parses every key in the input. Throws KEY_MALFORMED with the parser's reason. */
export async function parseKeys(data: OpenPgpData, label: string): Promise<Key[]> {
  const decoded = decodeOpenPgpData(data, label);
  try {
    let keys: Key[];
    if ('armored' in decoded) {
      // openpgp.js reads only the first armored block, so a concatenation of exports would
      // silently lose keys; read each block on its own.
      const blocks = splitArmoredKeyBlocks(decoded.armored);
      const perBlock = await Promise.all(
        blocks.map((block) => readOpenPgpKeys({ armoredKeys: block, config: openpgpConfig })),
      );
      keys = perBlock.flat();
    } else {
      keys = await readOpenPgpKeys({ binaryKeys: decoded.binary, config: openpgpConfig });
    }
    if (keys.length === 0) throw new Error('no key packet found');
    return keys;
  } catch (error) {
    throw new CryptoError(
      'KEY_MALFORMED',
      `${label} could not be read as an OpenPGP key (${describeError(error)}). ` +
        'Pass one complete key block, armored ("-----BEGIN PGP PUBLIC KEY BLOCK-----") or binary, ' +
        'for example as written by "gpg --export".',
      { cause: error },
    );
  }
}

/** Parses exactly one certificate and returns its public part. */
export async function parseCertificate(
  data: OpenPgpData,
  label = 'Certificate',
): Promise<PublicKey> {
  const keys = await parseKeys(data, label);
  if (keys.length !== 1) {
    throw new CryptoError(
      'KEY_MALFORMED',
      `${label} contains ${keys.length} keys; pass one certificate at a time or use readCertificates.`,
    );
  }
  return toPublic(keys[0] as Key);
}

/** Parses a list of certificates, naming the position of the one that fails. */
export async function parseCertificateList(
  list: readonly unknown[],
  label: string,
): Promise<PublicKey[]> {
  return Promise.all(
    list.map((data, index) => parseCertificate(data as OpenPgpData, `${label}[${index}]`)),
  );
}

/**
 * Reads one certificate, armored or binary, and returns its summary and its normalised
 * armored public-only form. Throws KEY_MALFORMED for garbage or more than one key.
 */
export async function readCertificate(
  data: OpenPgpData,
  options: { date?: Date } = {},
): Promise<CertificateInfo> {
  const date = optionalDate(options.date, 'date');
  const certificate = await parseCertificate(data);
  const blocks = await readKeyBlockPackets(data, 'Certificate');
  return describeCertificate(certificate, date, blockOf(certificate, blocks));
}

/** Returns one certificate public-only in binary form, e.g. for Autocrypt keydata. */
export async function certificateToBinary(data: OpenPgpData): Promise<Uint8Array> {
  const certificate = await parseCertificate(data);
  const blocks = await readKeyBlockPackets(data, 'Certificate');
  return certificateWithPostQuantumSubkeys(certificate, blockOf(certificate, blocks));
}

/** Reads a keyring of one or more certificates, such as the output of "gpg --export". */
export async function readCertificates(
  data: OpenPgpData,
  options: { date?: Date } = {},
): Promise<CertificateInfo[]> {
  const date = optionalDate(options.date, 'date');
  const keys = await parseKeys(data, 'Certificates');
  const blocks = await readKeyBlockPackets(data, 'Certificates');
  return Promise.all(
    keys.map((key) => describeCertificate(toPublic(key), date, blockOf(key, blocks))),
  );
}

/** One key of a keyring, split out: a certificate, or a secret key as it was stored. */
export interface KeyBlock {
  isSecret: boolean;
  fingerprint: string;
  /** Armored certificate, or armored secret key with its protection unchanged. */
  armored: string;
}

/**
 * Splits a keyring, such as the output of "gpg --export" or "gpg --export-secret-keys", into
 * one armored block per key. Secret keys are not unlocked or re-protected here.
 */
export async function readKeys(data: OpenPgpData): Promise<KeyBlock[]> {
  const keys = await parseKeys(data, 'Key data');
  const blocks = await readKeyBlockPackets(data, 'Key data');
  return keys.map((key) => {
    const block = blockOf(key, blocks);
    const isSecret = key.isPrivate();
    const isV4 = key.keyPacket.version !== 6;
    return {
      isSecret,
      fingerprint: key.getFingerprint(),
      armored: isSecret
        ? armorPackets('privateKey', secretKeyWithPostQuantumSubkeys(key, block), isV4)
        : armorPackets('publicKey', certificateWithPostQuantumSubkeys(toPublic(key), block), isV4),
    };
  });
}

/**
 * Summarizes a certificate at the date. Without its key block packets the algorithm-35
 * subkeys are unknown, and the summary reports none.
 */
export async function describeCertificate(
  certificate: PublicKey,
  date: Date,
  block: KeyBlockPackets | null = null,
): Promise<CertificateInfo> {
  const isRevoked = await certificate.isRevoked(undefined, undefined, date, openpgpFullConfig);

  let expires: Date | null = null;
  try {
    const expirationTime = await certificate.getExpirationTime(undefined, openpgpFullConfig);
    if (expirationTime instanceof Date) expires = expirationTime;
  } catch {
    // No valid self-signature: the certificate is unusable, reported through the flags below.
  }

  let hasEncryptionSubkey = false;
  try {
    await certificate.getEncryptionKey(undefined, date, undefined, openpgpFullConfig);
    hasEncryptionSubkey = true;
  } catch {
    // No valid encryption-capable key at the date: hasEncryptionSubkey stays false.
  }

  const postQuantumSubkeys = await describePostQuantumSubkeys(certificate, block, date);
  const newest = newestUsable(postQuantumSubkeys);

  return {
    fingerprint: certificate.getFingerprint(),
    keyId: certificate.getKeyID().toHex(),
    version: certificate.keyPacket.version,
    algorithm: certificate.getAlgorithmInfo().algorithm,
    userIds: certificate.getUserIDs(),
    addresses: emailsOf(certificate).map((email) => email.toLowerCase()),
    created: certificate.getCreationTime(),
    expires,
    isRevoked,
    isExpired: expires !== null && expires <= date,
    hasEncryptionSubkey,
    hasPostQuantumSubkey: newest !== null,
    postQuantumSubkeyFingerprint: newest?.fingerprint ?? null,
    postQuantumSubkeys: postQuantumSubkeys.map(
      ({ fingerprint, created, expires, usable, reason }) => ({
        fingerprint,
        created,
        expires,
        usable,
        reason,
      }),
    ),
    armored: armorPackets(
      'publicKey',
      certificateWithPostQuantumSubkeys(certificate, block),
      certificate.keyPacket.version !== 6,
    ),
  };
}

const keyBlockPattern =
  /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

/** Returns each armored key block in the text, or the whole text when it has none. */
function splitArmoredKeyBlocks(text: string): string[] {
  const blocks = text.match(keyBlockPattern);
  return blocks && blocks.length > 0 ? blocks : [text];
}

function toPublic(key: Key): PublicKey {
  return key.isPrivate() ? key.toPublic() : (key as PublicKey);
}
