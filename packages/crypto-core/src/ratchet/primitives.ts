// The primitives of ratchet mode behind small typed wrappers: X25519 (RFC 7748, @noble/curves),
// ML-KEM-768 (FIPS 203, @noble/post-quantum) and AES-256-GCM (Node crypto). None is written here.
// Caveat: JavaScript cannot promise constant time or that the runtime made no copy of a secret.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';

import { RatchetError } from './errors.ts';

export const X25519_KEY_LENGTH = 32;
export const KEM_PUBLIC_KEY_LENGTH = 1184;
export const KEM_SECRET_KEY_LENGTH = 2400;
export const KEM_CIPHERTEXT_LENGTH = 1088;
export const GCM_NONCE_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;

export interface DhKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface KemKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** Generates an X25519 key pair; `seed` (32 bytes) is for known-answer tests only. */
export function generateDhKeyPair(seed?: Uint8Array): DhKeyPair {
  const secretKey = seed ? seed.slice() : x25519.utils.randomSecretKey();
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** X25519(secretKey, publicKey); a low-order public key fails as `failure` instead of yielding zeros. */
export function dh(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  failure: 'MESSAGE_MALFORMED' | 'PREKEY_BUNDLE_INVALID' = 'MESSAGE_MALFORMED',
): Uint8Array {
  try {
    return x25519.getSharedSecret(secretKey, publicKey);
  } catch (error) {
    throw new RatchetError(
      failure,
      'An X25519 public key is invalid (a low-order point); the peer sent a bad key.',
      { cause: error },
    );
  }
}

/** Generates an ML-KEM-768 key pair; `seed` (64 bytes) is for known-answer tests only. */
export function generateKemKeyPair(seed?: Uint8Array): KemKeyPair {
  return ml_kem768.keygen(seed);
}

/** Encapsulates to `publicKey`; `message` (32 bytes) is for known-answer tests only. */
export function kemEncapsulate(
  publicKey: Uint8Array,
  message?: Uint8Array,
): { cipherText: Uint8Array; sharedSecret: Uint8Array } {
  try {
    return ml_kem768.encapsulate(publicKey, message);
  } catch (error) {
    throw new RatchetError(
      'MESSAGE_MALFORMED',
      'An ML-KEM-768 encapsulation key is invalid (FIPS 203 modulus check failed).',
      { cause: error },
    );
  }
}

/** Decapsulates; ML-KEM's implicit rejection returns an unrelated secret for a bad ciphertext. */
export function kemDecapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ml_kem768.decapsulate(cipherText, secretKey);
}

/** AES-256-GCM; returns ciphertext || tag. */
export function aeadSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_LENGTH });
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  const out = new Uint8Array(head.length + tail.length + GCM_TAG_LENGTH);
  out.set(head, 0);
  out.set(tail, head.length);
  out.set(cipher.getAuthTag(), head.length + tail.length);
  head.fill(0);
  return out;
}

/** Opens ciphertext || tag; returns null when the tag does not verify, so callers pick the code. */
export function aeadOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null {
  if (sealed.length < GCM_TAG_LENGTH) return null;
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_LENGTH });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_LENGTH));
  const head = decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_LENGTH));
  try {
    const tail = decipher.final();
    const out = new Uint8Array(head.length + tail.length);
    out.set(head, 0);
    out.set(tail, head.length);
    return out;
  } catch {
    return null;
  } finally {
    head.fill(0);
  }
}

export function randomNonce(): Uint8Array {
  return new Uint8Array(randomBytes(GCM_NONCE_LENGTH));
}

export function randomKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}
