// Certificate expiry extension: re-issues the User ID self-signatures and subkey binding
// signatures with a new Key Expiration Time (RFC 9580, signature subpacket type 9) through
// openpgp.js reformatKey. Algorithm-35 subkeys get a new binding signature appended, because
// their latest valid binding counts. The fingerprint stays the same. reformatKey drops revocation signatures, so
// revoked keys and subkeys are rejected.
import { encryptKey, reformatKey, type PrivateKey } from 'openpgp';
import { readCertificate } from './certificate.ts';
import { openpgpConfig, openpgpFullConfig } from './config.ts';
import { CryptoError, wrapError } from './errors.ts';
import { requireString, type OpenPgpData } from './input.ts';
import { createBindingSignature, signatureTag } from './pq/binding-signature.ts';
import { armorSecretKey } from './pq/pq-secret-key-packets.ts';
import type { RawPacket } from './pq/packet-framing.ts';
import { clearPrivateKey, decryptWithPassphrase, parseSecretKeyBlock } from './secret-key.ts';
import type { SecretKeyPacket } from 'openpgp';

export interface ExtendedKey {
  /** Armored secret key, protected with the same passphrase as before. */
  secretKey: string;
  /** Armored certificate with the new expiry and the same fingerprint. */
  certificate: string;
  /** The new expiry of the primary key. */
  expires: Date;
}

/** Seconds from `created` until `expires`, as a Key Expiration Time subpacket stores it. */
function secondsUntil(created: Date, expires: Date): number {
  return Math.floor((expires.getTime() - created.getTime()) / 1000);
}

/**
 * Sets the expiry of a protected secret key and all its subkeys to `expires` by signing new
 * self-signatures at `date` (default now). Throws INVALID_ARGUMENT for a revoked key or
 * subkey.
 */
export async function extendCertificateExpiry(
  secretKey: OpenPgpData,
  passphrase: string,
  options: { expires: Date; date?: Date },
): Promise<ExtendedKey> {
  requireString(passphrase, 'passphrase');
  const date = options.date ?? new Date();
  if (!(options.expires instanceof Date) || options.expires.getTime() <= date.getTime()) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `The new expiry must be a date after ${date.toISOString()}; got ${String(options.expires)}.`,
    );
  }
  const { privateKey, block } = await parseSecretKeyBlock(secretKey);
  await rejectRevoked(privateKey, date);
  const created = privateKey.getCreationTime();
  const keyExpirationTime = secondsUntil(created, options.expires);

  const unlocked = await decryptWithPassphrase(privateKey, passphrase);
  let armored: string;
  const postQuantumPackets: RawPacket[] = [];
  try {
    // The algorithm-35 bindings come first, because reformatKey shares the primary key packet
    // that clearPrivateKey wipes below.
    for (const subkey of block?.subkeys ?? []) {
      const binding = await createBindingSignature(
        unlocked.keyPacket as SecretKeyPacket,
        subkey.publicKey,
        date,
        secondsUntil(subkey.publicKey.created, options.expires),
      );
      postQuantumPackets.push(...subkey.packets, { tag: signatureTag, body: binding });
    }

    const userIDs = unlocked.users
      .filter((user) => user.userID !== null)
      .map((user) => ({ name: user.userID!.name, email: user.userID!.email }));
    const { privateKey: reformatted } = await reformatKey({
      privateKey: unlocked,
      userIDs,
      keyExpirationTime,
      date,
      format: 'object',
      config: openpgpFullConfig,
    });
    // Each subkey's expiry counts from its own creation, so the same seconds would outlive the
    // primary key. That is harmless, because a subkey is unusable once the primary key expires.
    const protectedKey = await encryptKey({
      privateKey: reformatted,
      passphrase,
      config: openpgpConfig,
    });
    armored = armorSecretKey(protectedKey, postQuantumPackets);
    clearPrivateKey(reformatted);
  } catch (error) {
    throw wrapError(
      error,
      'KEY_MALFORMED',
      `Extending the expiry of ${privateKey.getFingerprint()} failed`,
    );
  } finally {
    clearPrivateKey(unlocked);
  }

  return {
    secretKey: armored,
    certificate: (await readCertificate(armored, { date })).armored,
    expires: new Date(created.getTime() + keyExpirationTime * 1000),
  };
}

async function rejectRevoked(privateKey: PrivateKey, date: Date): Promise<void> {
  // Any subkey revocation signature counts, verified or not, so nothing revoked is re-bound.
  const revoked = (await privateKey.isRevoked(undefined, undefined, date, openpgpFullConfig))
    ? privateKey
    : privateKey.subkeys.find((subkey) => subkey.revocationSignatures.length > 0);
  if (revoked) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `The key ${revoked.getFingerprint()} is revoked, and re-signing it would drop the revocation; create a new key instead.`,
    );
  }
}
