// Encryption subkey rotation: binds a new ECDH Curve25519 subkey (RFC 9580 section 5.2.3.5,
// subkey binding signature) and, for post-quantum identities, a new ML-KEM-768+X25519 (RFC 9980
// algorithm 35) subkey to an existing key. Old subkeys and their secrets stay in the key, so
// old messages still decrypt, and peers pick the newest subkey because it is the latest bound.
import { encryptKey } from 'openpgp';
import { readCertificate } from './certificate.ts';
import { openpgpConfig, openpgpFullConfig } from './config.ts';
import { wrapError } from './errors.ts';
import { requireString, type OpenPgpData } from './input.ts';
import { addPostQuantumSubkey } from './pq/generate-subkey.ts';
import { armorSecretKey } from './pq/pq-secret-key-packets.ts';
import type { RawPacket } from './pq/packet-framing.ts';
import { clearPrivateKey, decryptWithPassphrase, parseSecretKeyBlock } from './secret-key.ts';

export interface RotateSubkeysOptions {
  /** Creation time of the new subkeys and their binding signatures; defaults to now. */
  date?: Date;
  /** Seconds from creation until the new subkeys expire; 0 (the default) means never. */
  keyExpirationTime?: number;
  /** Also bind a new algorithm-35 subkey. */
  postQuantum: boolean;
}

export interface RotatedKey {
  /** Armored secret key, protected with the same passphrase as before. */
  secretKey: string;
  /** Armored certificate with the new subkeys; its fingerprint is unchanged. */
  certificate: string;
  /** Fingerprints of the new subkeys, the Curve25519 one first. */
  subkeyFingerprints: string[];
}

/** Adds new encryption subkeys to a protected secret key and returns it with its certificate. */
export async function rotateEncryptionSubkeys(
  secretKey: OpenPgpData,
  passphrase: string,
  options: RotateSubkeysOptions,
): Promise<RotatedKey> {
  requireString(passphrase, 'passphrase');
  const date = options.date ?? new Date();
  const keyExpirationTime = options.keyExpirationTime ?? 0;
  const { privateKey, block } = await parseSecretKeyBlock(secretKey);
  const unlocked = await decryptWithPassphrase(privateKey, passphrase);

  // The passphrase is unchanged, so the protected algorithm-35 packets are copied as they are.
  const oldPostQuantumPackets = (block?.subkeys ?? []).flatMap((subkey) => subkey.packets);
  let openpgpOnly: string;
  let classicalFingerprint: string;
  try {
    const rotated = await unlocked.addSubkey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      sign: false,
      date,
      keyExpirationTime,
      config: openpgpFullConfig,
    });
    classicalFingerprint = rotated.subkeys.at(-1)!.getFingerprint();
    const protectedKey = await encryptKey({
      privateKey: rotated,
      passphrase,
      config: openpgpConfig,
    });
    openpgpOnly = armorSecretKey(protectedKey, []);
  } catch (error) {
    throw wrapError(
      error,
      'KEY_MALFORMED',
      `Adding a subkey to ${privateKey.getFingerprint()} failed`,
    );
  } finally {
    clearPrivateKey(unlocked);
  }

  const subkeyFingerprints = [classicalFingerprint];
  let newPostQuantumPackets: RawPacket[] = [];
  if (options.postQuantum) {
    // addPostQuantumSubkey rewrites the key through openpgp.js, which drops algorithm-35
    // packets, so it gets the key without them and the old ones are put back below.
    const withPostQuantum = await addPostQuantumSubkey({
      certificate: (await readCertificate(openpgpOnly)).armored,
      secretKey: openpgpOnly,
      passphrase,
      date,
      keyExpirationTime,
    });
    const parsed = await parseSecretKeyBlock(withPostQuantum.secretKey);
    newPostQuantumPackets = (parsed.block?.subkeys ?? []).flatMap((subkey) => subkey.packets);
    subkeyFingerprints.push(withPostQuantum.subkeyFingerprint);
  }

  const { privateKey: finalKey } = await parseSecretKeyBlock(openpgpOnly);
  const armored = armorSecretKey(finalKey, [...oldPostQuantumPackets, ...newPostQuantumPackets]);
  return {
    secretKey: armored,
    certificate: (await readCertificate(armored)).armored,
    subkeyFingerprints,
  };
}
