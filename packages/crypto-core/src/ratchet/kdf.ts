// Key derivation of ratchet mode (docs/RATCHET.md sections 3 and 4.1). It provides the PQXDH
// KDF, the initial split of SK, the root-chain KDF_RK with ML-KEM mixing, the HMAC chain step
// KDF_CK (Double Ratchet revision 4, section 5.2) and the per-message AES-256-GCM key and nonce.
import { createHash, createHmac, hkdfSync } from 'node:crypto';

import { concatBytes, wipe } from './bytes.ts';

const encoder = new TextEncoder();

export const INFO_PQXDH = encoder.encode('Sealpost_PQXDH_CURVE25519_SHA-256_ML-KEM-768');
export const INFO_INIT = encoder.encode('Sealpost_Ratchet_Init');
export const INFO_ROOT = encoder.encode('Sealpost_Ratchet_Root');
export const INFO_MESSAGE = encoder.encode('Sealpost_Ratchet_Message');
export const INFO_SESSION = encoder.encode('Sealpost_Session_Id');

const ZERO32 = new Uint8Array(32);
/** PQXDH section 2.2: 32 0xFF bytes before the key material when the curve is curve25519. */
const PQXDH_PREFIX = new Uint8Array(32).fill(0xff);

function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  // hkdfSync returns a fresh ArrayBuffer, which the Uint8Array views without a copy.
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}

/** SK = HKDF(ZERO32, F || DH1 || DH2 || DH3 || SS, INFO_PQXDH, 32). Wipes nothing it was given. */
export function kdfPqxdh(dh1: Uint8Array, dh2: Uint8Array, dh3: Uint8Array, ss: Uint8Array) {
  const ikm = concatBytes(PQXDH_PREFIX, dh1, dh2, dh3, ss);
  try {
    return hkdf(ZERO32, ikm, INFO_PQXDH, 32);
  } finally {
    wipe(ikm);
  }
}

/** Splits SK into the first root key and the two shared header keys. */
export function kdfInit(sk: Uint8Array): {
  rootKey: Uint8Array;
  headerKeyA: Uint8Array;
  nextHeaderKeyB: Uint8Array;
} {
  const out = hkdf(ZERO32, sk, INFO_INIT, 96);
  try {
    return {
      rootKey: out.slice(0, 32),
      headerKeyA: out.slice(32, 64),
      nextHeaderKeyB: out.slice(64, 96),
    };
  } finally {
    wipe(out);
  }
}

/** KDF_RK(rk, dhOut, kemSS) -> (rk', ck, nhk), the root-chain step with ML-KEM mixing. */
export function kdfRoot(
  rootKey: Uint8Array,
  dhOutput: Uint8Array,
  kemSharedSecret: Uint8Array,
): { rootKey: Uint8Array; chainKey: Uint8Array; nextHeaderKey: Uint8Array } {
  const ikm = concatBytes(dhOutput, kemSharedSecret);
  const out = hkdf(rootKey, ikm, INFO_ROOT, 96);
  try {
    return {
      rootKey: out.slice(0, 32),
      chainKey: out.slice(32, 64),
      nextHeaderKey: out.slice(64, 96),
    };
  } finally {
    wipe(ikm, out);
  }
}

/** KDF_CK(ck) -> (ck', mk) with HMAC-SHA-256 and the constants 0x02 and 0x01. */
export function kdfChain(chainKey: Uint8Array): { chainKey: Uint8Array; messageKey: Uint8Array } {
  return { chainKey: hmac(chainKey, 2), messageKey: hmac(chainKey, 1) };
}

function hmac(key: Uint8Array, constant: number): Uint8Array {
  const digest = createHmac('sha256', key).update(Uint8Array.of(constant)).digest();
  const out = new Uint8Array(digest);
  digest.fill(0);
  return out;
}

/** Expands a message key into the AES-256-GCM key and nonce of its one message. */
export function messageKeys(messageKey: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const out = hkdf(ZERO32, messageKey, INFO_MESSAGE, 44);
  try {
    return { key: out.slice(0, 32), nonce: out.slice(32, 44) };
  } finally {
    wipe(out);
  }
}

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}
