// Completes a v4 signature packet (RFC 9580 sections 5.2.3 and 5.2.4) whose Ed25519Legacy
// (algorithm 22) value comes from an external signer such as an OpenPGP card. openpgp.js 6.3
// signs only with secret key packets it holds, so this fills the packet's fields itself and
// uses two of its internal methods (writeHashedSubPackets, toHash), typed locally below.
// Fail closed: the finished signature is verified with the public key before it is returned.
import { createHash } from 'node:crypto';
import { enums, type AnyKeyPacket, type SignaturePacket } from 'openpgp';
import { openpgpFullConfig } from '../config.ts';
import { CryptoError, describeError } from '../errors.ts';

/** Signs the OpenPGP signature digest (here SHA-256) and returns the 64-byte Ed25519 signature R || S. */
export type ExternalSigner = (digest: Uint8Array) => Promise<Uint8Array>;

// NOTE: these members exist in openpgp.js 6.3 but not in its type declarations. The tests that
// verify the result with openpgp.js and GnuPG fail if a later version changes them.
interface SignaturePacketInternals {
  signatureData: Uint8Array;
  params: { r: Uint8Array; s: Uint8Array };
  writeHashedSubPackets(): Uint8Array;
  toHash(signatureType: enums.signature, data: unknown, detached?: boolean): Uint8Array;
}

export type SigningKeyPacket = AnyKeyPacket;

/** Hash of every external signature; GnuPG 2.2 and openpgp.js accept SHA-256 for Ed25519Legacy. */
export const externalSignatureHash = enums.hash.sha256;

export function requireEd25519Legacy(keyPacket: SigningKeyPacket): void {
  if (keyPacket.algorithm !== enums.publicKey.eddsaLegacy) {
    throw new CryptoError(
      'UNSUPPORTED_ALGORITHM',
      `Key ${keyPacket.getFingerprint()} uses algorithm ${keyPacket.algorithm}; external signing supports Ed25519 (EdDSA, algorithm 22) keys only.`,
    );
  }
}

/**
 * Fills the creation time and issuer of `signature` (whose type and subpackets the caller set),
 * hashes `data` as RFC 9580 section 5.2.4 prescribes for the type, has `sign` compute the value,
 * and verifies it against `keyPacket`.
 */
export async function completeExternalSignature(
  signature: SignaturePacket,
  keyPacket: SigningKeyPacket,
  data: unknown,
  sign: ExternalSigner,
  date: Date,
): Promise<void> {
  requireEd25519Legacy(keyPacket);
  const internals = signature as unknown as SignaturePacketInternals;
  signature.version = 4;
  signature.publicKeyAlgorithm = enums.publicKey.eddsaLegacy;
  signature.hashAlgorithm = externalSignatureHash;
  signature.created = new Date(Math.floor(date.getTime() / 1000) * 1000);
  signature.issuerKeyVersion = 4;
  signature.issuerFingerprint = keyPacket.getFingerprintBytes();
  signature.issuerKeyID = keyPacket.getKeyID();

  const header = Uint8Array.from([
    4,
    signature.signatureType!,
    signature.publicKeyAlgorithm,
    signature.hashAlgorithm,
  ]);
  const hashed = internals.writeHashedSubPackets();
  internals.signatureData = new Uint8Array([...header, ...hashed]);
  // toHash appends the v4 trailer (0x04 0xFF and the 4-byte length of signatureData).
  const digest = new Uint8Array(
    createHash('sha256')
      .update(internals.toHash(signature.signatureType!, data, true))
      .digest(),
  );
  signature.signedHashValue = digest.slice(0, 2);

  let value: Uint8Array;
  try {
    value = await sign(digest);
  } catch (error) {
    throw new CryptoError('SIGN_FAILED', `The external signer failed: ${describeError(error)}`, {
      cause: error,
    });
  }
  if (!(value instanceof Uint8Array) || value.length !== 64) {
    throw new CryptoError(
      'SIGN_FAILED',
      `The external signer returned ${value instanceof Uint8Array ? `${value.length} bytes` : typeof value}; an Ed25519 signature has 64 bytes.`,
    );
  }
  internals.params = { r: value.slice(0, 32), s: value.slice(32) };

  try {
    await signature.verify(
      keyPacket,
      signature.signatureType!,
      data as object,
      date,
      true,
      openpgpFullConfig,
    );
  } catch (error) {
    throw new CryptoError(
      'SIGN_FAILED',
      `The external signer's signature does not verify with key ${keyPacket.getFingerprint()}; the token holds a different key. Check the expected fingerprint.`,
      { cause: error },
    );
  }
}
