// AES-256 key wrap (RFC 3394) of the session key under the composite KEK, through Node's
// OpenSSL cipher "id-aes256-wrap". The unwrap integrity check (the 64-bit initial value) is
// the only check that the decapsulated KEK is right, so every unwrap failure is DECRYPT_FAILED.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CryptoError, describeError } from '../errors.ts';

/** The RFC 3394 default initial value A6A6A6A6A6A6A6A6. */
const defaultInitialValue = Buffer.alloc(8, 0xa6);

export function wrapKey(kek: Uint8Array, key: Uint8Array): Uint8Array {
  requireKek(kek);
  if (key.length < 16 || key.length % 8 !== 0) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `A key to wrap must be a multiple of 8 octets and at least 16, got ${key.length}.`,
    );
  }
  const cipher = createCipheriv('id-aes256-wrap', kek, defaultInitialValue);
  return new Uint8Array(Buffer.concat([cipher.update(key), cipher.final()]));
}

/** Unwraps a key; throws DECRYPT_FAILED when the integrity check fails. */
export function unwrapKey(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  requireKek(kek);
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) {
    throw new CryptoError(
      'DECRYPT_FAILED',
      `The wrapped session key has ${wrapped.length} octets; RFC 3394 output is a multiple of 8 and at least 24.`,
    );
  }
  try {
    const decipher = createDecipheriv('id-aes256-wrap', kek, defaultInitialValue);
    return new Uint8Array(Buffer.concat([decipher.update(wrapped), decipher.final()]));
  } catch (error) {
    throw new CryptoError(
      'DECRYPT_FAILED',
      `The session key failed the AES key unwrap integrity check (${describeError(error)}); ` +
        'the message was modified or is not encrypted to this key.',
      { cause: error },
    );
  }
}

function requireKek(kek: Uint8Array): void {
  if (kek.length !== 32) {
    throw new CryptoError('INVALID_ARGUMENT', `The KEK must be 32 octets, got ${kek.length}.`);
  }
}
