// Writing secret keys: import (RFC 9580 section 5.5.3, protected with S2K usage 254 on the
// way in), passphrase changes, and export, protected or, for the Stateless OpenPGP CLI only,
// unprotected. openpgp.js writes the packets it can parse, and the ML-KEM-768+X25519 (RFC
// 9980 algorithm 35) secret subkeys are decrypted and written again beside them.
import { encryptKey, type PrivateKey } from 'openpgp';
import { openpgpConfig } from './config.ts';
import { CryptoError, wrapError } from './errors.ts';
import { requireString, type OpenPgpData } from './input.ts';
import {
  anySecretSubkeyProtected,
  armorSecretKey,
  protectedBlockPackets,
  reprotectBlockSubkeys,
  unprotectedBlockPackets,
} from './pq/pq-secret-key-packets.ts';
import type { KeyBlockPackets } from './pq/subkey-packets.ts';
import {
  clearPrivateKey,
  decryptWithPassphrase,
  describeSecretKey,
  hasEncryptedPackets,
  isProtected,
  parseSecretKeyBlock,
  postQuantumStateOf,
  privateKeyOf,
  type SecretKeyInfo,
  type UnlockedKey,
} from './secret-key.ts';

/**
 * Imports a secret key, for example from "gpg --export-secret-keys". A protected key must come
 * with its passphrase, which is checked; an unprotected key is protected with the passphrase.
 * Returns the protected armored secret key, its armored certificate and its details.
 */
export async function importSecretKey(
  data: OpenPgpData,
  passphrase?: string,
): Promise<{ secretKey: string; certificate: string; info: SecretKeyInfo }> {
  const { privateKey, block } = await parseSecretKeyBlock(data);
  const fingerprint = privateKey.getFingerprint();

  if (!isProtected(privateKey, block)) {
    if (passphrase === undefined || passphrase === '') {
      throw new CryptoError(
        'UNPROTECTED_SECRET_KEY',
        `Secret key ${fingerprint} is not passphrase-protected; pass a passphrase to protect it on import.`,
      );
    }
    // A PQ subkey that is already protected must be protected with this same passphrase.
    const packets = await reprotectBlockSubkeys(block, passphrase, passphrase, fingerprint);
    if (hasEncryptedPackets(privateKey)) {
      throw new CryptoError(
        'KEY_MALFORMED',
        `Secret key ${fingerprint} is only partly protected; protect all of it with GnuPG first.`,
      );
    }
    return secretKeyResult(await protectWithPassphrase(privateKey, passphrase), block, packets);
  }

  if (passphrase === undefined || passphrase === '') {
    throw new CryptoError(
      'INVALID_PASSPHRASE',
      `Secret key ${privateKey.getFingerprint()} is protected; pass its passphrase so the import can check it.`,
    );
  }
  const unlocked = await decryptWithPassphrase(privateKey, passphrase);
  clearPrivateKey(unlocked);
  // Decrypting the PQ subkeys checks the passphrase for them too; they are written anew.
  const packets = await reprotectBlockSubkeys(block, passphrase, passphrase, fingerprint);
  return secretKeyResult(privateKey, block, packets);
}

/**
 * Re-protects a secret key with a new passphrase. The current passphrase is required when
 * the key is protected. Returns the armored secret key.
 */
export async function protectSecretKey(
  secretKey: OpenPgpData,
  newPassphrase: string,
  oldPassphrase?: string,
): Promise<string> {
  requireString(newPassphrase, 'newPassphrase');
  const { privateKey, block } = await parseSecretKeyBlock(secretKey);
  const fingerprint = privateKey.getFingerprint();

  if (!isProtected(privateKey, block)) {
    if (hasEncryptedPackets(privateKey) || anySecretSubkeyProtected(block)) {
      throw new CryptoError(
        'KEY_MALFORMED',
        `Secret key ${fingerprint} is only partly protected; protect all of it with GnuPG first.`,
      );
    }
    const packets = await reprotectBlockSubkeys(block, null, newPassphrase, fingerprint);
    return armorSecretKey(await protectWithPassphrase(privateKey, newPassphrase), packets);
  }

  if (oldPassphrase === undefined || oldPassphrase === '') {
    throw new CryptoError(
      'INVALID_PASSPHRASE',
      `Secret key ${privateKey.getFingerprint()} is protected; pass its current passphrase.`,
    );
  }
  const unlocked = await decryptWithPassphrase(privateKey, oldPassphrase);
  try {
    const packets = await reprotectBlockSubkeys(block, oldPassphrase, newPassphrase, fingerprint);
    return armorSecretKey(await protectWithPassphrase(unlocked, newPassphrase), packets);
  } finally {
    clearPrivateKey(unlocked);
  }
}

/** Exports an unlocked key as an armored secret key protected with the given passphrase. */
export async function exportSecretKey(key: UnlockedKey, passphrase: string): Promise<string> {
  requireString(passphrase, 'passphrase');
  const privateKey = privateKeyOf(key);
  const state = postQuantumStateOf(key);
  const packets = await protectedBlockPackets(
    state?.block ?? null,
    state?.subkeys ?? [],
    passphrase,
  );
  return armorSecretKey(await protectWithPassphrase(privateKey, passphrase), packets);
}

/**
 * Exports an unlocked key as an armored secret key without any passphrase, the form that the
 * Stateless OpenPGP CLI exchanges. Anyone who reads the output can sign and decrypt as the
 * key's owner, so it must never be stored or sent; use exportSecretKey for backups.
 */
export function exportUnprotectedSecretKey(key: UnlockedKey): string {
  const privateKey = privateKeyOf(key);
  const state = postQuantumStateOf(key);
  const packets = unprotectedBlockPackets(state?.block ?? null, state?.subkeys ?? []);
  return armorSecretKey(privateKey, packets);
}

async function protectWithPassphrase(
  privateKey: PrivateKey,
  passphrase: string,
): Promise<PrivateKey> {
  try {
    return await encryptKey({ privateKey, passphrase, config: openpgpConfig });
  } catch (error) {
    throw wrapError(
      error,
      'KEY_MALFORMED',
      `Secret key ${privateKey.getFingerprint()} could not be protected`,
    );
  }
}

/** Writes the protected key with its rewritten PQ packets and describes it. */
async function secretKeyResult(
  privateKey: PrivateKey,
  block: KeyBlockPackets | null,
  packets: Parameters<typeof armorSecretKey>[1],
): Promise<{ secretKey: string; certificate: string; info: SecretKeyInfo }> {
  const described = await describeSecretKey(privateKey, block, new Date());
  // The block describes the PQ subkeys as read; every secret packet was just protected.
  const info = { ...described, isProtected: true };
  return { secretKey: armorSecretKey(privateKey, packets), certificate: info.armored, info };
}
