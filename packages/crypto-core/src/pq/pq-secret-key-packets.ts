// Writes the algorithm-35 secret subkeys of a secret key again when openpgp.js writes the
// rest of it (import, passphrase change, export). Each Secret-Subkey packet (RFC 9580 section
// 5.5.3) is decrypted and written anew, protected with the new passphrase or, only where a
// caller asks for it, unprotected. Binding signatures sign public key data only, so they stay.
import type { Key } from 'openpgp';
import { CryptoError } from '../errors.ts';
import {
  matchesPublicKey,
  toHex,
  wipeSecretMaterial,
  type MlkemX25519PublicKey,
  type MlkemX25519SecretMaterial,
} from './mlkem-x25519-key.ts';
import { armorPackets, concatBytes, writePackets, type RawPacket } from './packet-framing.ts';
import type { UnlockedPostQuantumSubkey } from './pq-secret-key.ts';
import {
  secretSubkeyTag,
  unlockSecretSubkey,
  writeProtectedSecretSubkey,
} from './secret-subkey-packet.ts';
import type { KeyBlockPackets, MlkemX25519SubkeyPackets } from './subkey-packets.ts';

/** Checks that every algorithm-35 secret subkey packet of the block is passphrase-protected. */
export function secretSubkeysProtected(block: KeyBlockPackets | null): boolean {
  return (block?.subkeys ?? []).every((subkey) => !subkey.secret || subkey.secret.isProtected);
}

/** Checks whether any algorithm-35 secret subkey packet of the block is passphrase-protected. */
export function anySecretSubkeyProtected(block: KeyBlockPackets | null): boolean {
  return (block?.subkeys ?? []).some((subkey) => subkey.secret?.isProtected === true);
}

/**
 * Decrypts the algorithm-35 secret subkeys of a block with the current passphrase (null for
 * unprotected packets) and returns them with the primary fingerprint. Throws
 * INVALID_PASSPHRASE or KEY_MALFORMED. The caller owns the secrets and must wipe them.
 */
export async function unlockBlockSubkeys(
  block: KeyBlockPackets | null,
  passphrase: string | null,
  primaryFingerprint: string,
): Promise<UnlockedPostQuantumSubkey[]> {
  const subkeys: UnlockedPostQuantumSubkey[] = [];
  try {
    for (const packets of block?.subkeys ?? []) {
      if (!packets.secret) continue;
      const label = `Secret key ${primaryFingerprint}`;
      const secret = await unlockSecretSubkey(packets.secret, passphrase, label);
      const fingerprint = toHex(packets.publicKey.fingerprint);
      subkeys.push({ primaryFingerprint, fingerprint, publicKey: packets.publicKey, secret });
      if (!matchesPublicKey(secret, packets.publicKey)) {
        throw new CryptoError(
          'KEY_MALFORMED',
          `The ML-KEM-768+X25519 secret subkey ${fingerprint} does not match its public key; export the key again.`,
        );
      }
    }
  } catch (error) {
    subkeys.forEach((subkey) => wipeSecretMaterial(subkey.secret));
    throw error;
  }
  return subkeys;
}

/**
 * Returns the block's packets with every secret subkey protected by the new passphrase, after
 * decrypting it with the old one (null when the packets are unprotected).
 */
export async function reprotectBlockSubkeys(
  block: KeyBlockPackets | null,
  oldPassphrase: string | null,
  newPassphrase: string,
  primaryFingerprint: string,
): Promise<RawPacket[]> {
  const unlocked = await unlockBlockSubkeys(block, oldPassphrase, primaryFingerprint);
  try {
    return await protectedBlockPackets(block, unlocked, newPassphrase);
  } finally {
    unlocked.forEach((subkey) => wipeSecretMaterial(subkey.secret));
  }
}

/** Returns the block's packets with the unlocked secret subkeys protected by the passphrase. */
export async function protectedBlockPackets(
  block: KeyBlockPackets | null,
  unlocked: readonly UnlockedPostQuantumSubkey[],
  passphrase: string,
): Promise<RawPacket[]> {
  const packets: RawPacket[] = [];
  for (const subkey of block?.subkeys ?? []) {
    const secret = secretOf(subkey, unlocked);
    if (!secret) {
      packets.push(...subkey.packets);
      continue;
    }
    const body = await writeProtectedSecretSubkey(subkey.publicKey, secret, passphrase);
    packets.push({ tag: secretSubkeyTag, body }, ...subkey.packets.slice(1));
  }
  return packets;
}

/**
 * Returns the block's packets with the unlocked secret subkeys in the clear (S2K usage 0 and
 * the two-octet checksum of RFC 9580 section 5.5.3). Anyone who reads them can decrypt.
 */
export function unprotectedBlockPackets(
  block: KeyBlockPackets | null,
  unlocked: readonly UnlockedPostQuantumSubkey[],
): RawPacket[] {
  const packets: RawPacket[] = [];
  for (const subkey of block?.subkeys ?? []) {
    const secret = secretOf(subkey, unlocked);
    if (!secret) {
      packets.push(...subkey.packets);
      continue;
    }
    const body = writeUnprotectedSecretSubkey(subkey.publicKey, secret);
    packets.push({ tag: secretSubkeyTag, body }, ...subkey.packets.slice(1));
  }
  return packets;
}

/** Writes the openpgp.js key followed by the algorithm-35 packets, armored. */
export function armorSecretKey(key: Key, packets: readonly RawPacket[]): string {
  return armorPackets(
    'privateKey',
    concatBytes(key.write(), writePackets(packets)),
    key.keyPacket.version !== 6,
  );
}

/** Returns the unlocked secret of a subkey whose packets contain a secret subkey packet. */
function secretOf(
  subkey: MlkemX25519SubkeyPackets,
  unlocked: readonly UnlockedPostQuantumSubkey[],
): MlkemX25519SecretMaterial | null {
  if (!subkey.secret) return null;
  const fingerprint = toHex(subkey.publicKey.fingerprint);
  const match = unlocked.find((candidate) => candidate.fingerprint === fingerprint);
  if (!match) {
    throw new CryptoError(
      'KEY_MALFORMED',
      `The ML-KEM-768+X25519 secret subkey ${fingerprint} was not unlocked; unlock the key again.`,
    );
  }
  return match.secret;
}

function writeUnprotectedSecretSubkey(
  publicKey: MlkemX25519PublicKey,
  secret: MlkemX25519SecretMaterial,
): Uint8Array {
  const material = concatBytes(secret.ecdhSecretKey, secret.mlkemSeed);
  try {
    if (publicKey.version !== 4) {
      return concatBytes(publicKey.packetBody, Uint8Array.of(0), material);
    }
    // v4 keys end with the sum of the secret octets modulo 65536.
    const sum = material.reduce((total, octet) => (total + octet) & 0xffff, 0);
    return concatBytes(
      publicKey.packetBody,
      Uint8Array.of(0),
      material,
      Uint8Array.of(sum >> 8, sum & 0xff),
    );
  } finally {
    material.fill(0);
  }
}
