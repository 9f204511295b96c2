// The algorithm-35 (ML-KEM-768+X25519) subkeys of certificates and secret keys, beside the
// openpgp.js key objects that cannot hold them. A subkey is usable only while its binding
// signature by the primary key verifies and it is neither revoked nor expired. Any other
// subkey is reported with the reason and never used for encryption.
import { unarmor, type Key, type PublicKey, type PublicKeyPacket } from 'openpgp';
import { openpgpFullConfig } from '../config.ts';
import { CryptoError, describeError } from '../errors.ts';
import { decodeOpenPgpData, type OpenPgpData } from '../input.ts';
import { checkBinding } from './binding-signature.ts';
import { toHex, type MlkemX25519PublicKey } from './mlkem-x25519-key.ts';
import { concatBytes, writePackets, type RawPacket } from './packet-framing.ts';
import {
  findMlkemX25519Subkeys,
  publicPacketsOf,
  type KeyBlockPackets,
  type MlkemX25519SubkeyPackets,
} from './subkey-packets.ts';

/** One algorithm-35 subkey of a certificate and whether it may be used at the date. */
export interface PostQuantumSubkey {
  /** Subkey fingerprint, lowercase hex (40 characters for v4, 64 for v6). */
  fingerprint: string;
  keyId: string;
  created: Date;
  expires: Date | null;
  usable: boolean;
  /** The reason the subkey is not usable, or null when it is. */
  reason: string | null;
  publicKey: MlkemX25519PublicKey;
  packets: MlkemX25519SubkeyPackets;
}

/** Reads the key data into binary and finds the algorithm-35 subkeys of every key block. */
export async function readKeyBlockPackets(
  data: OpenPgpData,
  label: string,
): Promise<KeyBlockPackets[]> {
  const decoded = decodeOpenPgpData(data, label);
  if ('binary' in decoded) return findMlkemX25519Subkeys(decoded.binary, label);

  const blocks = decoded.armored.match(armoredBlockPattern) ?? [decoded.armored];
  const binaries: Uint8Array[] = [];
  for (const block of blocks) {
    try {
      binaries.push((await unarmor(block, openpgpFullConfig)).data as Uint8Array);
    } catch (error) {
      throw new CryptoError(
        'KEY_MALFORMED',
        `${label} is not valid OpenPGP armor (${describeError(error)}).`,
        {
          cause: error,
        },
      );
    }
  }
  return findMlkemX25519Subkeys(concatBytes(...binaries), label);
}

const armoredBlockPattern =
  /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

/** Returns the key block of the given openpgp.js key, matched by primary fingerprint. */
export function blockOf(key: Key, blocks: readonly KeyBlockPackets[]): KeyBlockPackets | null {
  const fingerprint = key.getFingerprint();
  return blocks.find((block) => block.primaryFingerprint === fingerprint) ?? null;
}

/** Checks the binding of every algorithm-35 subkey of a key at the date. */
export async function describePostQuantumSubkeys(
  key: Key,
  block: KeyBlockPackets | null,
  date: Date,
): Promise<PostQuantumSubkey[]> {
  if (!block) return [];
  const primaryUsable = await primaryKeyProblem(key, date);
  const subkeys: PostQuantumSubkey[] = [];
  for (const packets of block.subkeys) {
    const { publicKey } = packets;
    const status = await checkBinding(
      key.keyPacket as PublicKeyPacket,
      publicKey,
      packets.signatures,
      date,
    );
    let reason = status.valid ? null : status.reason;
    if (reason === null && primaryUsable !== null) reason = primaryUsable;
    if (reason === null && publicKey.version !== key.keyPacket.version) {
      reason = `a v${publicKey.version} subkey on a v${key.keyPacket.version} primary key`;
    }
    subkeys.push({
      fingerprint: toHex(publicKey.fingerprint),
      keyId: toHex(publicKey.keyId),
      created: publicKey.created,
      expires: status.valid ? status.expires : null,
      usable: reason === null,
      reason,
      publicKey,
      packets,
    });
  }
  return subkeys;
}

/** Picks the newest usable algorithm-35 subkey, as RFC 9580 suggests for encryption subkeys. */
export function newestUsable(subkeys: readonly PostQuantumSubkey[]): PostQuantumSubkey | null {
  let newest: PostQuantumSubkey | null = null;
  for (const subkey of subkeys) {
    if (subkey.usable && (!newest || subkey.created > newest.created)) newest = subkey;
  }
  return newest;
}

/**
 * Writes a certificate in binary with its algorithm-35 subkeys: openpgp.js's serialization of
 * the key it understands, followed by each PQ subkey and its signatures, public-only.
 */
export function certificateWithPostQuantumSubkeys(
  certificate: PublicKey,
  block: KeyBlockPackets | null,
): Uint8Array {
  const extra: RawPacket[] = (block?.subkeys ?? []).flatMap(publicPacketsOf);
  return concatBytes(certificate.write(), writePackets(extra));
}

/** Writes a secret key in binary with its algorithm-35 secret subkeys, unchanged. */
export function secretKeyWithPostQuantumSubkeys(
  key: Key,
  block: KeyBlockPackets | null,
): Uint8Array {
  const extra: RawPacket[] = (block?.subkeys ?? []).flatMap((subkey) => subkey.packets);
  return concatBytes(key.write(), writePackets(extra));
}

/** Returns null when the primary key is valid at the date, otherwise the reason. */
async function primaryKeyProblem(key: Key, date: Date): Promise<string | null> {
  try {
    await key.verifyPrimaryKey(date, undefined, openpgpFullConfig);
    return null;
  } catch (error) {
    return `the primary key is not valid (${describeError(error)})`;
  }
}
