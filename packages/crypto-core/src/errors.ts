// The one error class of crypto-core. Every failure that a caller can act on carries a
// stable SCREAMING_SNAKE_CASE `code`; the openpgp.js error that caused it stays in `cause`.
// Messages name the value that failed and the next step, and never contain key material,
// passphrases or plaintext.

/** Stable error codes, grouped by kind of failure. */
export type CryptoErrorCode =
  // Malformed or unsupported input
  | 'INVALID_ARGUMENT'
  | 'KEY_MALFORMED'
  | 'MESSAGE_MALFORMED'
  | 'MESSAGE_TOO_LARGE'
  | 'UNSUPPORTED_ALGORITHM'
  // Keys that exist but cannot be used for the operation
  | 'KEY_NOT_FOUND'
  | 'NO_ENCRYPTION_SUBKEY'
  | 'NO_SIGNING_KEY'
  | 'UNPROTECTED_SECRET_KEY'
  | 'KEY_CLEARED'
  | 'REVOCATION_INVALID'
  // Authentication and integrity
  | 'INVALID_PASSPHRASE'
  | 'DECRYPT_FAILED'
  | 'ENCRYPT_FAILED'
  | 'SIGN_FAILED'
  | 'RECIPIENT_NOT_ENCRYPTED_TO';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Returns the message of any thrown value, for use inside our own error messages. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Wraps an openpgp.js error in a CryptoError. A CryptoError passes through unchanged, and an
 * error that names an unsupported or unknown algorithm becomes UNSUPPORTED_ALGORITHM.
 */
export function wrapError(error: unknown, code: CryptoErrorCode, message: string): CryptoError {
  if (error instanceof CryptoError) return error;

  const detail = describeError(error);
  if (/unsupported|unknown .*algorithm|not supported/i.test(detail) && code !== 'DECRYPT_FAILED') {
    return new CryptoError('UNSUPPORTED_ALGORITHM', `${message}: ${detail}`, { cause: error });
  }
  return new CryptoError(code, `${message}: ${detail}`, { cause: error });
}
