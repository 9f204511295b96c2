// Public key material of RFC 9980 algorithm 35, ML-KEM-768+X25519: the key packet body
// (RFC 9580 section 5.5.2, v4 and v6), its fingerprint and key ID (section 5.5.4), and key
// generation. The algorithm-specific part is the 32-octet X25519 public key followed by the
// 1184-octet ML-KEM-768 encapsulation key (RFC 9980 section "Key Material Packets").
import { createHash, randomBytes } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { CryptoError } from '../errors.ts';
import { concatBytes } from './packet-framing.ts';

export const mlkemX25519AlgorithmId = 35;
export const x25519KeyLength = 32;
export const mlkemPublicKeyLength = 1184;
/** The ML-KEM secret key in seed format: d || z of FIPS 203 ML-KEM.KeyGen, 32 octets each. */
export const mlkemSeedLength = 64;
export const publicMaterialLength = x25519KeyLength + mlkemPublicKeyLength;
export const secretMaterialLength = x25519KeyLength + mlkemSeedLength;

/** An algorithm-35 public (sub)key as it appears in a key packet. */
export interface MlkemX25519PublicKey {
  version: 4 | 6;
  /** Key creation time, whole seconds. */
  created: Date;
  ecdhPublicKey: Uint8Array;
  mlkemPublicKey: Uint8Array;
  /** The public key packet body, exactly as read or written. */
  packetBody: Uint8Array;
  /** v4: SHA-1 fingerprint (20 octets); v6: SHA-256 fingerprint (32 octets). */
  fingerprint: Uint8Array;
  /** v4: the last 8 octets of the fingerprint; v6: the first 8. */
  keyId: Uint8Array;
}

/** Freshly generated secret values; the caller owns them and must wipe them. */
export interface MlkemX25519SecretMaterial {
  ecdhSecretKey: Uint8Array;
  mlkemSeed: Uint8Array;
}

/**
 * Reads the public part of a key packet body. Returns null for any algorithm other than 35,
 * and the number of octets consumed, so a secret key packet can be read on from there.
 */
export function readPublicKeyBody(
  body: Uint8Array,
  label: string,
): { publicKey: MlkemX25519PublicKey; length: number } | null {
  const version = body[0];
  if (version !== 4 && version !== 6) return null;
  const headerLength = version === 4 ? 6 : 10;
  if (body.length < headerLength) return null;
  if (body[5] !== mlkemX25519AlgorithmId) return null;

  if (version === 6) {
    const materialLength = new DataView(body.buffer, body.byteOffset + 6, 4).getUint32(0);
    if (materialLength !== publicMaterialLength) {
      throw malformedKey(label, `key material length ${materialLength}`);
    }
  }
  const length = headerLength + publicMaterialLength;
  if (body.length < length) throw malformedKey(label, `key packet of ${body.length} octets`);

  const seconds = new DataView(body.buffer, body.byteOffset + 1, 4).getUint32(0);
  const packetBody = body.slice(0, length);
  const ecdhPublicKey = packetBody.slice(headerLength, headerLength + x25519KeyLength);
  const mlkemPublicKey = packetBody.slice(headerLength + x25519KeyLength, length);
  return {
    publicKey: describePublicKey(version, new Date(seconds * 1000), ecdhPublicKey, mlkemPublicKey),
    length,
  };
}

/** Builds the public key record, packet body and fingerprint for key material. */
export function describePublicKey(
  version: 4 | 6,
  created: Date,
  ecdhPublicKey: Uint8Array,
  mlkemPublicKey: Uint8Array,
): MlkemX25519PublicKey {
  const seconds = Math.floor(created.getTime() / 1000);
  const header = new Uint8Array(version === 4 ? 6 : 10);
  const view = new DataView(header.buffer);
  header[0] = version;
  view.setUint32(1, seconds);
  header[5] = mlkemX25519AlgorithmId;
  if (version === 6) view.setUint32(6, publicMaterialLength);

  const packetBody = concatBytes(header, ecdhPublicKey, mlkemPublicKey);
  const fingerprint = fingerprintOf(version, packetBody);
  return {
    version,
    created: new Date(seconds * 1000),
    ecdhPublicKey,
    mlkemPublicKey,
    packetBody,
    fingerprint,
    keyId: version === 4 ? fingerprint.slice(12, 20) : fingerprint.slice(0, 8),
  };
}

/**
 * Returns the key packet as it enters signature hashes and fingerprints (RFC 9580 section
 * 5.2.4): 0x99 and a two-octet length for v4, 0x9B and a four-octet length for v6.
 */
export function keyPacketForHash(version: number, packetBody: Uint8Array): Uint8Array {
  if (version === 6) {
    const prefix = new Uint8Array(5);
    prefix[0] = 0x9b;
    new DataView(prefix.buffer).setUint32(1, packetBody.length);
    return concatBytes(prefix, packetBody);
  }
  return concatBytes(
    Uint8Array.of(0x99, packetBody.length >> 8, packetBody.length & 0xff),
    packetBody,
  );
}

function fingerprintOf(version: 4 | 6, packetBody: Uint8Array): Uint8Array {
  const hash = createHash(version === 4 ? 'sha1' : 'sha256');
  hash.update(keyPacketForHash(version, packetBody));
  return new Uint8Array(hash.digest());
}

/** Generates X25519 and ML-KEM-768 key pairs independently, as RFC 9980 requires. */
export function generateKeyMaterial(): {
  secret: MlkemX25519SecretMaterial;
  ecdhPublicKey: Uint8Array;
  mlkemPublicKey: Uint8Array;
} {
  const ecdhSecretKey = x25519.utils.randomSecretKey();
  const mlkemSeed = new Uint8Array(randomBytes(mlkemSeedLength));
  const { publicKey: mlkemPublicKey, secretKey: expanded } = ml_kem768.keygen(mlkemSeed);
  expanded.fill(0);
  return {
    secret: { ecdhSecretKey, mlkemSeed },
    ecdhPublicKey: x25519.getPublicKey(ecdhSecretKey),
    mlkemPublicKey,
  };
}

/** Checks that secret material belongs to the public key, so a swapped key fails early. */
export function matchesPublicKey(
  secret: MlkemX25519SecretMaterial,
  publicKey: MlkemX25519PublicKey,
): boolean {
  const ecdhPublicKey = x25519.getPublicKey(secret.ecdhSecretKey);
  const { publicKey: mlkemPublicKey, secretKey: expanded } = ml_kem768.keygen(secret.mlkemSeed);
  expanded.fill(0);
  return (
    equalBytes(ecdhPublicKey, publicKey.ecdhPublicKey) &&
    equalBytes(mlkemPublicKey, publicKey.mlkemPublicKey)
  );
}

export function wipeSecretMaterial(secret: MlkemX25519SecretMaterial): void {
  secret.ecdhSecretKey.fill(0);
  secret.mlkemSeed.fill(0);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function malformedKey(label: string, detail: string): CryptoError {
  return new CryptoError(
    'KEY_MALFORMED',
    `${label} has an invalid ML-KEM-768+X25519 (algorithm 35) key packet (${detail}); ` +
      'ask its owner to export the key again.',
  );
}
