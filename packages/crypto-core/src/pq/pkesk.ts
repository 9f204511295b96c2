// Public-Key Encrypted Session Key packets (tag 1) for algorithm 35 (RFC 9580 section 5.1,
// RFC 9980 "Public-Key Encrypted Session Key Packets"), versions 3 and 6. The algorithm-
// specific fields are ecdhCipherText (32) || mlkemCipherText (1088) || one length octet ||
// (v3 only: the symmetric algorithm ID, in the clear) || the AES-256-wrapped session key.
// Every length is checked; a malformed packet addressed to one of our keys is DECRYPT_FAILED.
import { CryptoError } from '../errors.ts';
import {
  decapsulate,
  ecdhCipherTextLength,
  encapsulate,
  mlkemCipherTextLength,
  wipeDecapsulation,
  type Decapsulation,
} from './composite-kem.ts';
import { unwrapKey, wrapKey } from './key-wrap.ts';
import {
  mlkemX25519AlgorithmId,
  toHex,
  type MlkemX25519PublicKey,
  type MlkemX25519SecretMaterial,
} from './mlkem-x25519-key.ts';
import { concatBytes } from './packet-framing.ts';

export const pkeskTag = 1;

/** Session key length per symmetric algorithm ID; RFC 9980 allows only AES for v3. */
const aesKeyLengths = new Map<number, number>([
  [7, 16],
  [8, 24],
  [9, 32],
]);

/** The recipient of a PKESK, read from any PKESK whatever its algorithm. */
export interface PkeskRecipient {
  version: 3 | 6;
  /** v3: the 8-octet key ID, all zeros when anonymous. */
  keyId: Uint8Array | null;
  /** v6: the recipient key's fingerprint, or null when anonymous. */
  fingerprint: Uint8Array | null;
  algorithm: number;
  /** The algorithm-specific fields. */
  fields: Uint8Array;
}

export interface MlkemX25519Pkesk extends PkeskRecipient {
  ecdhCipherText: Uint8Array;
  mlkemCipherText: Uint8Array;
  /** v3 only: the symmetric algorithm of the SEIPDv1 packet. */
  symmetricAlgorithm: number | null;
  wrappedSessionKey: Uint8Array;
}

/** Reads the version and recipient of a PKESK body. Throws DECRYPT_FAILED when malformed. */
export function readPkeskRecipient(body: Uint8Array): PkeskRecipient {
  const version = body[0];
  if (version === 3) {
    if (body.length < 10) throw malformed(`a v3 PKESK of ${body.length} octets`);
    const keyId = body.slice(1, 9);
    return {
      version,
      keyId,
      fingerprint: null,
      algorithm: body[9] as number,
      fields: body.subarray(10),
    };
  }
  if (version === 6) {
    const recipientLength = body[1];
    if (recipientLength === undefined) throw malformed('a v6 PKESK without recipient length');
    if (recipientLength !== 0 && recipientLength !== 21 && recipientLength !== 33) {
      throw malformed(`a v6 PKESK recipient length of ${recipientLength}`);
    }
    const algorithmIndex = 2 + recipientLength;
    if (body.length <= algorithmIndex) throw malformed(`a v6 PKESK of ${body.length} octets`);
    let fingerprint: Uint8Array | null = null;
    if (recipientLength !== 0) {
      const keyVersion = body[2];
      // A one-octet key version, then a 32-octet (v6) or 20-octet (v4) fingerprint.
      let expectedLength = -1;
      if (keyVersion === 6) expectedLength = 33;
      if (keyVersion === 4) expectedLength = 21;
      if (expectedLength !== recipientLength) {
        throw malformed(
          `a v6 PKESK for a v${String(keyVersion)} key with recipient length ${recipientLength}`,
        );
      }
      fingerprint = body.slice(3, algorithmIndex);
    }
    return {
      version,
      keyId: null,
      fingerprint,
      algorithm: body[algorithmIndex] as number,
      fields: body.subarray(algorithmIndex + 1),
    };
  }
  throw malformed(`PKESK version ${String(version)}`);
}

/** Parses the algorithm-35 fields of a PKESK. Throws DECRYPT_FAILED on any length mismatch. */
export function readMlkemX25519Pkesk(body: Uint8Array): MlkemX25519Pkesk {
  const recipient = readPkeskRecipient(body);
  if (recipient.algorithm !== mlkemX25519AlgorithmId) {
    throw malformed(`public-key algorithm ${recipient.algorithm} instead of 35`);
  }
  const { fields } = recipient;
  const lengthIndex = ecdhCipherTextLength + mlkemCipherTextLength;
  const followingLength = fields[lengthIndex];
  if (followingLength === undefined)
    throw malformed(`algorithm-specific fields of ${fields.length} octets`);
  if (fields.length !== lengthIndex + 1 + followingLength) {
    throw malformed(
      `length octet ${followingLength} for ${fields.length - lengthIndex - 1} following octets`,
    );
  }

  let offset = lengthIndex + 1;
  let symmetricAlgorithm: number | null = null;
  if (recipient.version === 3) {
    symmetricAlgorithm = fields[offset] as number;
    offset += 1;
    if (!aesKeyLengths.has(symmetricAlgorithm)) {
      throw malformed(`symmetric algorithm ${symmetricAlgorithm}; only AES (7, 8, 9) is allowed`);
    }
  }
  return {
    ...recipient,
    ecdhCipherText: fields.slice(0, ecdhCipherTextLength),
    mlkemCipherText: fields.slice(ecdhCipherTextLength, lengthIndex),
    symmetricAlgorithm,
    wrappedSessionKey: fields.slice(offset),
  };
}

/**
 * Encrypts a session key to an algorithm-35 subkey and returns the PKESK body: v3 (with the
 * symmetric algorithm, for SEIPDv1) or v6 (for SEIPDv2).
 */
export function encryptSessionKey(
  publicKey: MlkemX25519PublicKey,
  sessionKey: Uint8Array,
  version: 3 | 6,
  symmetricAlgorithm: number,
): Uint8Array {
  if (aesKeyLengths.get(symmetricAlgorithm) !== sessionKey.length) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `A ${sessionKey.length}-octet session key does not match symmetric algorithm ${symmetricAlgorithm}; use AES-128, AES-192 or AES-256.`,
    );
  }
  const { ecdhCipherText, mlkemCipherText, kek } = encapsulate(publicKey);
  let wrapped: Uint8Array;
  try {
    wrapped = wrapKey(kek, sessionKey);
  } finally {
    kek.fill(0);
  }

  const following =
    version === 3 ? concatBytes(Uint8Array.of(symmetricAlgorithm), wrapped) : wrapped;
  const recipient =
    version === 3
      ? concatBytes(Uint8Array.of(3), publicKey.keyId)
      : concatBytes(
          Uint8Array.of(6, 1 + publicKey.fingerprint.length, publicKey.version),
          publicKey.fingerprint,
        );
  return concatBytes(
    recipient,
    Uint8Array.of(mlkemX25519AlgorithmId),
    ecdhCipherText,
    mlkemCipherText,
    Uint8Array.of(following.length),
    following,
  );
}

/** A decrypted session key and, for tests against published vectors, the KEM values. */
export interface DecryptedSessionKey {
  sessionKey: Uint8Array;
  /** v3: the symmetric algorithm ID from the PKESK; v6: null (the SEIPDv2 packet names it). */
  symmetricAlgorithm: number | null;
  decapsulation: Decapsulation;
}

/**
 * Decrypts the session key of an algorithm-35 PKESK. Throws DECRYPT_FAILED when the key
 * unwrap integrity check fails or the session key length does not fit the algorithm.
 * The caller owns the returned buffers and must wipe them.
 */
export function decryptSessionKey(
  pkesk: MlkemX25519Pkesk,
  secret: MlkemX25519SecretMaterial,
  publicKey: MlkemX25519PublicKey,
): DecryptedSessionKey {
  const decapsulation = decapsulate(secret, publicKey, pkesk.ecdhCipherText, pkesk.mlkemCipherText);
  let sessionKey: Uint8Array;
  try {
    sessionKey = unwrapKey(decapsulation.kek, pkesk.wrappedSessionKey);
  } catch (error) {
    wipeDecapsulation(decapsulation);
    throw error;
  }

  const expectedLengths =
    pkesk.symmetricAlgorithm === null
      ? [...aesKeyLengths.values()]
      : [aesKeyLengths.get(pkesk.symmetricAlgorithm) as number];
  if (!expectedLengths.includes(sessionKey.length)) {
    sessionKey.fill(0);
    wipeDecapsulation(decapsulation);
    throw malformed(
      `a ${sessionKey.length}-octet session key for symmetric algorithm ${String(pkesk.symmetricAlgorithm)}`,
    );
  }
  return { sessionKey, symmetricAlgorithm: pkesk.symmetricAlgorithm, decapsulation };
}

/** Checks whether a PKESK is addressed to this key (by key ID or fingerprint) or to anyone. */
export function isAddressedTo(recipient: PkeskRecipient, publicKey: MlkemX25519PublicKey): boolean {
  if (recipient.version === 3) {
    const keyId = recipient.keyId as Uint8Array;
    return keyId.every((octet) => octet === 0) || toHex(keyId) === toHex(publicKey.keyId);
  }
  return (
    recipient.fingerprint === null || toHex(recipient.fingerprint) === toHex(publicKey.fingerprint)
  );
}

function malformed(detail: string): CryptoError {
  return new CryptoError(
    'DECRYPT_FAILED',
    `The message has a malformed ML-KEM-768+X25519 session key packet (${detail}); ` +
      'it may have been modified in transit. Ask the sender to send it again.',
  );
}
