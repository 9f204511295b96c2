// The ML-KEM-768+X25519 composite KEM of RFC 9980 ("Composite Encryption Schemes with
// ML-KEM"): x25519Kem and ML-KEM-768 encapsulation, and the SHA3-256 key combiner that
// derives the key-encryption key (KEK). ML-KEM decapsulation uses implicit rejection, so a
// wrong ciphertext yields a wrong KEK rather than an error; the AES key unwrap integrity check
// (key-wrap.ts) is what detects it.
import { x25519 } from '@noble/curves/ed25519.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { CryptoError, describeError } from '../errors.ts';
import {
  mlkemX25519AlgorithmId,
  type MlkemX25519PublicKey,
  type MlkemX25519SecretMaterial,
} from './mlkem-x25519-key.ts';
import { concatBytes } from './packet-framing.ts';

export const ecdhCipherTextLength = 32;
export const mlkemCipherTextLength = 1088;

/** "OpenPGPCompositeKDFv1", the domain separator of the key combiner. */
const domainSeparator = new TextEncoder().encode('OpenPGPCompositeKDFv1');

/** The values of one decapsulation; the caller owns them and must wipe them. */
export interface Decapsulation {
  mlkemKeyShare: Uint8Array;
  ecdhKeyShare: Uint8Array;
  /** multiKeyCombine output, the AES-256 key-wrap key. */
  kek: Uint8Array;
}

/**
 * KEK = SHA3-256(mlkemKeyShare || ecdhKeyShare || ecdhCipherText || ecdhPublicKey || algId
 * || domSep || len(domSep)), with algId and len(domSep) one octet each.
 */
export function multiKeyCombine(
  mlkemKeyShare: Uint8Array,
  ecdhKeyShare: Uint8Array,
  ecdhCipherText: Uint8Array,
  ecdhPublicKey: Uint8Array,
  algorithmId = mlkemX25519AlgorithmId,
): Uint8Array {
  const input = concatBytes(
    mlkemKeyShare,
    ecdhKeyShare,
    ecdhCipherText,
    ecdhPublicKey,
    Uint8Array.of(algorithmId),
    domainSeparator,
    Uint8Array.of(domainSeparator.length),
  );
  try {
    return sha3_256(input);
  } finally {
    input.fill(0);
  }
}

/** Encapsulates to a recipient key: returns both ciphertexts and the KEK (caller wipes it). */
export function encapsulate(publicKey: MlkemX25519PublicKey): {
  ecdhCipherText: Uint8Array;
  mlkemCipherText: Uint8Array;
  kek: Uint8Array;
} {
  const ephemeralSecret = x25519.utils.randomSecretKey();
  let ecdhKeyShare: Uint8Array | undefined;
  let mlkemKeyShare: Uint8Array | undefined;
  try {
    const ecdhCipherText = x25519.getPublicKey(ephemeralSecret);
    ecdhKeyShare = x25519.getSharedSecret(ephemeralSecret, publicKey.ecdhPublicKey);
    const encapsulated = ml_kem768.encapsulate(publicKey.mlkemPublicKey);
    mlkemKeyShare = encapsulated.sharedSecret;
    const kek = multiKeyCombine(
      mlkemKeyShare,
      ecdhKeyShare,
      ecdhCipherText,
      publicKey.ecdhPublicKey,
    );
    return { ecdhCipherText, mlkemCipherText: encapsulated.cipherText, kek };
  } catch (error) {
    throw new CryptoError(
      'ENCRYPT_FAILED',
      `Encapsulation to ML-KEM-768+X25519 key ${Buffer.from(publicKey.fingerprint).toString('hex')} failed (${describeError(error)}).`,
      { cause: error },
    );
  } finally {
    ephemeralSecret.fill(0);
    ecdhKeyShare?.fill(0);
    mlkemKeyShare?.fill(0);
  }
}

/** Decapsulates both ciphertexts with the recipient's secret material and derives the KEK. */
export function decapsulate(
  secret: MlkemX25519SecretMaterial,
  publicKey: MlkemX25519PublicKey,
  ecdhCipherText: Uint8Array,
  mlkemCipherText: Uint8Array,
): Decapsulation {
  let mlkemSecretKey: Uint8Array | undefined;
  try {
    // x25519Kem.Decaps: X = X25519(r, V). noble rejects an all-zero result (low-order V).
    const ecdhKeyShare = x25519.getSharedSecret(secret.ecdhSecretKey, ecdhCipherText);
    // The seed (d || z) is expanded with ML-KEM.KeyGen_internal before use.
    mlkemSecretKey = ml_kem768.keygen(secret.mlkemSeed).secretKey;
    const mlkemKeyShare = ml_kem768.decapsulate(mlkemCipherText, mlkemSecretKey);
    const kek = multiKeyCombine(
      mlkemKeyShare,
      ecdhKeyShare,
      ecdhCipherText,
      publicKey.ecdhPublicKey,
    );
    return { mlkemKeyShare, ecdhKeyShare, kek };
  } catch (error) {
    throw new CryptoError(
      'DECRYPT_FAILED',
      `Decapsulation with ML-KEM-768+X25519 key ${Buffer.from(publicKey.fingerprint).toString('hex')} failed (${describeError(error)}).`,
      { cause: error },
    );
  } finally {
    mlkemSecretKey?.fill(0);
  }
}

export function wipeDecapsulation(values: Decapsulation): void {
  values.mlkemKeyShare.fill(0);
  values.ecdhKeyShare.fill(0);
  values.kek.fill(0);
}
