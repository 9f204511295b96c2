// RatchetError: the error class of ratchet mode, with a stable SCREAMING_SNAKE `code` per failure
// (docs/RATCHET.md section 10). Messages name the failing value and the next step and never
// contain key material, counters or plaintext.

export type RatchetErrorCode =
  | 'INVALID_ARGUMENT'
  | 'MESSAGE_MALFORMED'
  | 'UNSUPPORTED_VERSION'
  | 'HEADER_DECRYPT_FAILED'
  | 'DECRYPT_FAILED'
  | 'MESSAGE_KEY_EXPIRED'
  | 'REPLAY_DETECTED'
  | 'TOO_MANY_SKIPPED_MESSAGES'
  | 'PREKEY_NOT_FOUND'
  | 'PREKEY_BUNDLE_INVALID'
  | 'PREKEY_BUNDLE_EXPIRED'
  | 'STATE_MALFORMED'
  | 'WORKER_FAILED';

export const RATCHET_ERROR_CODES: readonly RatchetErrorCode[] = [
  'INVALID_ARGUMENT',
  'MESSAGE_MALFORMED',
  'UNSUPPORTED_VERSION',
  'HEADER_DECRYPT_FAILED',
  'DECRYPT_FAILED',
  'MESSAGE_KEY_EXPIRED',
  'REPLAY_DETECTED',
  'TOO_MANY_SKIPPED_MESSAGES',
  'PREKEY_NOT_FOUND',
  'PREKEY_BUNDLE_INVALID',
  'PREKEY_BUNDLE_EXPIRED',
  'STATE_MALFORMED',
  'WORKER_FAILED',
];

export class RatchetError extends Error {
  override readonly name = 'RatchetError';
  readonly code: RatchetErrorCode;

  constructor(code: RatchetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
