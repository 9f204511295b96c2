// Stretching of the fallback passphrase with Argon2id (RFC 9106) through @noble/hashes. The
// default is the second recommended option of RFC 9106 section 4: t = 3 passes, p = 4 lanes,
// m = 64 MiB, a 128-bit salt and a 256-bit tag. The parameters are stored with the salt so a
// later version can raise them. NOTE: @noble/hashes runs in JavaScript, about 1 s per unlock
// at these settings, and the 64 MiB work area is left to the garbage collector.

import { argon2id } from '@noble/hashes/argon2.js';
import { CoreError } from '../errors.ts';

export interface Argon2idParameters {
  name: 'argon2id';
  /** Passes over memory. */
  t: number;
  /** Memory in KiB. */
  m: number;
  /** Lanes. */
  p: number;
  /** Base64 salt of 16 bytes. */
  salt: string;
}

export const ARGON2ID_DEFAULTS = { t: 3, m: 64 * 1024, p: 4 } as const;
export const ARGON2ID_SALT_LENGTH = 16;
const TAG_LENGTH = 32;

// Bounds against a keystore file edited to make unlocking hang or exhaust memory.
const MAX_PASSES = 10;
const MAX_MEMORY_KIB = 1024 * 1024;

/** Derives the 32-byte wrapping key from `passphrase`. The caller wipes the result. */
export function deriveWrappingKey(passphrase: string, parameters: Argon2idParameters): Buffer {
  const salt = Buffer.from(parameters.salt, 'base64');
  if (
    parameters.name !== 'argon2id' ||
    salt.length !== ARGON2ID_SALT_LENGTH ||
    !Number.isInteger(parameters.t) ||
    parameters.t < 1 ||
    parameters.t > MAX_PASSES ||
    !Number.isInteger(parameters.p) ||
    parameters.p < 1 ||
    parameters.p > 16 ||
    !Number.isInteger(parameters.m) ||
    parameters.m < 8 * parameters.p ||
    parameters.m > MAX_MEMORY_KIB
  ) {
    throw new CoreError(
      'KEYSTORE_CORRUPT',
      `The keystore's Argon2id parameters are invalid (t=${parameters.t}, m=${parameters.m} KiB, ` +
        `p=${parameters.p}); restore keystore.json from a backup.`,
    );
  }
  const tag = argon2id(passphrase.normalize('NFC'), salt, {
    t: parameters.t,
    m: parameters.m,
    p: parameters.p,
    dkLen: TAG_LENGTH,
  });
  return Buffer.from(tag.buffer, tag.byteOffset, tag.byteLength);
}
