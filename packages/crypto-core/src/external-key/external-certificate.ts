// Builds a v4 certificate (RFC 9580) around keys that live on a token: an
// Ed25519Legacy primary key that certifies and signs, and a Curve25519 ECDH subkey that
// encrypts. Its self-signatures (user ID certification 0x13, subkey binding 0x18) are
// computed by the external signer, so the secret keys never leave the token.
import {
  PacketList,
  PublicKey,
  PublicKeyPacket,
  PublicSubkeyPacket,
  SignaturePacket,
  UserIDPacket,
  enums,
  type AnyPacket,
} from 'openpgp';
import { openpgpFullConfig } from '../config.ts';
import { CryptoError } from '../errors.ts';
import { completeExternalSignature, type ExternalSigner } from './external-signature.ts';

export interface ExternalCertificateOptions {
  /** Native 32-byte Ed25519 public key of the token's signing key. */
  signingPublicKey: Uint8Array;
  /** Native 32-byte X25519 public key of the token's decryption key. */
  decryptionPublicKey: Uint8Array;
  /** Creation time of both key packets; it is part of their fingerprints. */
  created: Date;
  userId: { name?: string; email: string };
  sign: ExternalSigner;
}

export interface ExternalCertificate {
  armored: string;
  primaryFingerprint: string;
  subkeyFingerprint: string;
}

// Curve OIDs with their length byte (RFC 9580), and the KDF parameters
// SHA-256 / AES-128 that GnuPG writes for Curve25519 ECDH subkeys (RFC 9580).
const ED25519_OID = [0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01];
const CURVE25519_OID = [0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01];
const ECDH_KDF_PARAMETERS = [0x03, 0x01, enums.hash.sha256, enums.symmetric.aes128];

function keyPacketBody(
  algorithm: number,
  oid: number[],
  point: Uint8Array,
  created: Date,
  extra: number[],
): Uint8Array {
  if (point.length !== 32) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `A Curve25519 public key has 32 bytes, got ${point.length}.`,
    );
  }
  const seconds = Math.floor(created.getTime() / 1000);
  // The point is an MPI of 263 bits: the 0x40 prefix byte then the native 32 bytes.
  return Uint8Array.from([
    4,
    (seconds >>> 24) & 0xff,
    (seconds >>> 16) & 0xff,
    (seconds >>> 8) & 0xff,
    seconds & 0xff,
    algorithm,
    ...oid,
    0x01,
    0x07,
    0x40,
    ...point,
    ...extra,
  ]);
}

async function readKeyPackets(
  options: Pick<ExternalCertificateOptions, 'signingPublicKey' | 'decryptionPublicKey' | 'created'>,
): Promise<{ primary: PublicKeyPacket; subkey: PublicSubkeyPacket }> {
  const primary = new PublicKeyPacket();
  await primary.read(
    keyPacketBody(
      enums.publicKey.eddsaLegacy,
      ED25519_OID,
      options.signingPublicKey,
      options.created,
      [],
    ),
  );
  const subkey = new PublicSubkeyPacket();
  await subkey.read(
    keyPacketBody(
      enums.publicKey.ecdh,
      CURVE25519_OID,
      options.decryptionPublicKey,
      options.created,
      ECDH_KDF_PARAMETERS,
    ),
  );
  return { primary, subkey };
}

/**
 * Returns the v4 fingerprints that the certificate for these token keys will have. A card needs
 * them stored (PUT DATA C7, C8) before it signs, so they are computed without signing.
 */
export async function fingerprintsOfExternalKeys(
  options: Pick<ExternalCertificateOptions, 'signingPublicKey' | 'decryptionPublicKey' | 'created'>,
): Promise<{ primaryFingerprint: string; subkeyFingerprint: string }> {
  const { primary, subkey } = await readKeyPackets(options);
  return {
    primaryFingerprint: primary.getFingerprint(),
    subkeyFingerprint: subkey.getFingerprint(),
  };
}

export async function buildCertificateForExternalKeys(
  options: ExternalCertificateOptions,
): Promise<ExternalCertificate> {
  const { primary, subkey } = await readKeyPackets(options);
  const userId = UserIDPacket.fromObject(options.userId);
  const certification = new SignaturePacket();
  certification.signatureType = enums.signature.certPositive;
  certification.keyFlags = Uint8Array.from([enums.keyFlags.certifyKeys | enums.keyFlags.signData]);
  certification.preferredSymmetricAlgorithms = [enums.symmetric.aes256, enums.symmetric.aes128];
  certification.preferredHashAlgorithms = [enums.hash.sha512, enums.hash.sha256];
  certification.preferredCompressionAlgorithms = [enums.compression.uncompressed];
  // Features 0x01: the key holder reads SEIPDv1 (MDC) packets.
  certification.features = Uint8Array.from([0x01]);
  certification.isPrimaryUserID = true;
  await completeExternalSignature(
    certification,
    primary,
    { userID: userId, key: primary },
    options.sign,
    options.created,
  );

  const binding = new SignaturePacket();
  binding.signatureType = enums.signature.subkeyBinding;
  binding.keyFlags = Uint8Array.from([
    enums.keyFlags.encryptCommunication | enums.keyFlags.encryptStorage,
  ]);
  await completeExternalSignature(
    binding,
    primary,
    { key: primary, bind: subkey },
    options.sign,
    options.created,
  );

  const packets = new PacketList<AnyPacket>();
  packets.push(primary, userId, certification, subkey, binding);
  const certificate = new PublicKey(packets);
  return {
    armored: certificate.armor(openpgpFullConfig),
    primaryFingerprint: primary.getFingerprint(),
    subkeyFingerprint: subkey.getFingerprint(),
  };
}
