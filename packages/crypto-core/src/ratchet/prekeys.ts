// Identity DH keys and prekeys (docs/RATCHET.md sections 2 and 2.3): generation, the byte
// encoding of their secrets for storage, and the rotation plan that decides when to make a new
// prekey and when an old prekey's secrets must be deleted.
import { randomBytes } from 'node:crypto';

import { ByteReader, ByteWriter } from './bytes.ts';
import { encodeBundle } from './bundle.ts';
import { RatchetError } from './errors.ts';
import {
  KEM_PUBLIC_KEY_LENGTH,
  KEM_SECRET_KEY_LENGTH,
  X25519_KEY_LENGTH,
  generateDhKeyPair,
  generateKemKeyPair,
  type DhKeyPair,
  type KemKeyPair,
} from './primitives.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const PREKEY_MAGIC = 0x50; // "P"
const IDENTITY_MAGIC = 0x49; // "I"

export const DEFAULT_ROTATION_POLICY = {
  rotationIntervalMs: 7 * DAY_MS,
  bundleLifetimeMs: 14 * DAY_MS,
  graceMs: 30 * DAY_MS,
} as const;

export interface RotationPolicy {
  rotationIntervalMs: number;
  bundleLifetimeMs: number;
  graceMs: number;
}

/** The secrets of one prekey: the X25519 signed prekey and the ML-KEM-768 prekey. */
export interface PrekeySecret {
  prekeyId: number;
  signedPrekey: DhKeyPair;
  kemPrekey: KemKeyPair;
  createdAt: number;
  expiresAt: number;
}

export function generateIdentityDhKey(): DhKeyPair {
  return generateDhKeyPair();
}

export function encodeIdentityDhKey(key: DhKeyPair): Uint8Array {
  return new ByteWriter().u8(IDENTITY_MAGIC).bytes(key.secretKey).bytes(key.publicKey).finish();
}

export function decodeIdentityDhKey(bytes: Uint8Array): DhKeyPair {
  const reader = new ByteReader(bytes, 'identity DH key', 'STATE_MALFORMED');
  if (reader.u8('magic') !== IDENTITY_MAGIC) {
    throw new RatchetError('STATE_MALFORMED', 'The stored identity DH key has the wrong format.');
  }
  const key = {
    secretKey: reader.bytes(X25519_KEY_LENGTH, 'secretKey'),
    publicKey: reader.bytes(X25519_KEY_LENGTH, 'publicKey'),
  };
  reader.expectEnd();
  return key;
}

/**
 * Generates a prekey and returns its secrets (to store) and the canonical bundle bytes (to sign
 * with the OpenPGP key). `fingerprint` is the signing certificate's fingerprint in hex.
 */
export function generatePrekey(options: {
  identityPublicKey: Uint8Array;
  fingerprint: string;
  now: number;
  policy?: RotationPolicy;
}): { secret: PrekeySecret; bundleBytes: Uint8Array } {
  const policy = options.policy ?? DEFAULT_ROTATION_POLICY;
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(options.fingerprint)) {
    throw new RatchetError(
      'INVALID_ARGUMENT',
      `fingerprint: expected 40 or 64 hex digits, got ${JSON.stringify(options.fingerprint)}.`,
    );
  }
  const secret: PrekeySecret = {
    prekeyId: randomBytes(4).readUInt32BE(0),
    signedPrekey: generateDhKeyPair(),
    kemPrekey: generateKemKeyPair(),
    createdAt: options.now,
    expiresAt: options.now + policy.bundleLifetimeMs,
  };
  const bundleBytes = encodeBundle({
    fingerprint: new Uint8Array(Buffer.from(options.fingerprint, 'hex')),
    identityKey: options.identityPublicKey,
    prekeyId: secret.prekeyId,
    signedPrekey: secret.signedPrekey.publicKey,
    kemPrekey: secret.kemPrekey.publicKey,
    createdAt: secret.createdAt,
    expiresAt: secret.expiresAt,
  });
  return { secret, bundleBytes };
}

export function encodePrekeySecret(secret: PrekeySecret): Uint8Array {
  return new ByteWriter()
    .u8(PREKEY_MAGIC)
    .u32(secret.prekeyId)
    .bytes(secret.signedPrekey.secretKey)
    .bytes(secret.signedPrekey.publicKey)
    .bytes(secret.kemPrekey.secretKey)
    .bytes(secret.kemPrekey.publicKey)
    .u64(secret.createdAt)
    .u64(secret.expiresAt)
    .finish();
}

export function decodePrekeySecret(bytes: Uint8Array): PrekeySecret {
  const reader = new ByteReader(bytes, 'prekey secret', 'STATE_MALFORMED');
  if (reader.u8('magic') !== PREKEY_MAGIC) {
    throw new RatchetError('STATE_MALFORMED', 'The stored prekey secret has the wrong format.');
  }
  const secret = {
    prekeyId: reader.u32('prekeyId'),
    signedPrekey: {
      secretKey: reader.bytes(X25519_KEY_LENGTH, 'signedPrekey secret'),
      publicKey: reader.bytes(X25519_KEY_LENGTH, 'signedPrekey public'),
    },
    kemPrekey: {
      secretKey: reader.bytes(KEM_SECRET_KEY_LENGTH, 'kemPrekey secret'),
      publicKey: reader.bytes(KEM_PUBLIC_KEY_LENGTH, 'kemPrekey public'),
    },
    createdAt: reader.u64('createdAt'),
    expiresAt: reader.u64('expiresAt'),
  };
  reader.expectEnd();
  return secret;
}

export interface PrekeyTimes {
  prekeyId: number;
  createdAt: number;
  expiresAt: number;
}

/**
 * Returns whether a new prekey is due and which stored prekeys are past their grace period and
 * must be deleted. Pure: the caller generates, stores and deletes.
 */
export function planPrekeyRotation(
  prekeys: readonly PrekeyTimes[],
  now: number,
  policy: RotationPolicy = DEFAULT_ROTATION_POLICY,
): { generateNew: boolean; deletePrekeyIds: number[] } {
  const newest = prekeys.reduce<PrekeyTimes | null>(
    (best, prekey) => (best === null || prekey.createdAt > best.createdAt ? prekey : best),
    null,
  );
  const generateNew =
    newest === null ||
    now - newest.createdAt >= policy.rotationIntervalMs ||
    now >= newest.expiresAt;
  const deletePrekeyIds = prekeys
    .filter((prekey) => now >= prekey.expiresAt + policy.graceMs)
    .map((prekey) => prekey.prekeyId);
  return { generateNew, deletePrekeyIds };
}
