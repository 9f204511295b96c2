// Finds the algorithm-35 subkeys of a transferable key (RFC 9580 sections 10.1 and 10.2) at
// the packet level, because openpgp.js 6.3 drops subkeys whose algorithm it does not know.
// Each subkey keeps its own packets (the subkey packet and the signatures after it), so a
// key re-serialized by openpgp.js can get them back unchanged.
import { PublicKeyPacket, SecretKeyPacket } from 'openpgp';
import { CryptoError } from '../errors.ts';
import { signatureTag } from './binding-signature.ts';
import { readPublicKeyBody, type MlkemX25519PublicKey } from './mlkem-x25519-key.ts';
import { readPackets, type RawPacket } from './packet-framing.ts';
import {
  readSecretSubkeyBody,
  secretSubkeyTag,
  type SecretSubkeyPacket,
} from './secret-subkey-packet.ts';

export const publicKeyTag = 6;
export const secretKeyTag = 5;
export const publicSubkeyTag = 14;

/** An algorithm-35 subkey with the packets that follow it, as found in one key block. */
export interface MlkemX25519SubkeyPackets {
  publicKey: MlkemX25519PublicKey;
  /** The secret subkey packet, when the key block is a secret key. */
  secret: SecretSubkeyPacket | null;
  /** Bodies of the signature packets directly after the subkey. */
  signatures: Uint8Array[];
  /** The subkey packet and its signatures, in their original order. */
  packets: RawPacket[];
}

/** The packets of one transferable key, split into the key and its algorithm-35 subkeys. */
export interface KeyBlockPackets {
  /** The primary key's fingerprint (lowercase hex), or null when openpgp.js cannot read it. */
  primaryFingerprint: string | null;
  subkeys: MlkemX25519SubkeyPackets[];
}

/** Splits binary key data into key blocks (one per primary key) and finds their PQ subkeys. */
export async function findMlkemX25519Subkeys(
  binary: Uint8Array,
  label: string,
): Promise<KeyBlockPackets[]> {
  const blocks: KeyBlockPackets[] = [];
  let current: KeyBlockPackets | null = null;
  let currentSubkey: MlkemX25519SubkeyPackets | null = null;

  for (const packet of readPackets(binary, label)) {
    if (packet.tag === publicKeyTag || packet.tag === secretKeyTag) {
      current = { primaryFingerprint: await primaryFingerprintOf(packet), subkeys: [] };
      blocks.push(current);
      currentSubkey = null;
      continue;
    }
    if (packet.tag === publicSubkeyTag || packet.tag === secretSubkeyTag) {
      currentSubkey = null;
      if (!current) {
        throw new CryptoError(
          'KEY_MALFORMED',
          `${label} has a subkey packet before any primary key.`,
        );
      }
      const subkey = readSubkeyPacket(packet, label);
      if (subkey) {
        currentSubkey = subkey;
        current.subkeys.push(subkey);
      }
      continue;
    }
    if (packet.tag === signatureTag && currentSubkey) {
      currentSubkey.signatures.push(packet.body);
      currentSubkey.packets.push(packet);
      continue;
    }
    // User IDs, user attributes and trust packets end the signatures of a subkey.
    if (packet.tag !== signatureTag) currentSubkey = null;
  }
  return blocks;
}

async function primaryFingerprintOf(packet: RawPacket): Promise<string | null> {
  const keyPacket = packet.tag === secretKeyTag ? new SecretKeyPacket() : new PublicKeyPacket();
  try {
    await keyPacket.read(packet.body);
    return keyPacket.getFingerprint();
  } catch {
    // openpgp.js rejects this primary key too, so parseKeys reports the key as malformed.
    return null;
  }
}

function readSubkeyPacket(packet: RawPacket, label: string): MlkemX25519SubkeyPackets | null {
  if (packet.tag === secretSubkeyTag) {
    const secret = readSecretSubkeyBody(packet.body, label);
    if (!secret) return null;
    return { publicKey: secret.publicKey, secret, signatures: [], packets: [packet] };
  }
  const read = readPublicKeyBody(packet.body, label);
  if (!read) return null;
  if (read.length !== packet.body.length) {
    throw new CryptoError(
      'KEY_MALFORMED',
      `${label} has an algorithm-35 public subkey packet with ${packet.body.length - read.length} extra octets.`,
    );
  }
  return { publicKey: read.publicKey, secret: null, signatures: [], packets: [packet] };
}

/**
 * Returns the subkey's packets for a certificate: a secret subkey packet becomes a public
 * subkey packet, so no secret material leaves through a certificate.
 */
export function publicPacketsOf(subkey: MlkemX25519SubkeyPackets): RawPacket[] {
  return subkey.packets.map((packet) =>
    packet.tag === secretSubkeyTag
      ? { tag: publicSubkeyTag, body: subkey.publicKey.packetBody }
      : packet,
  );
}
