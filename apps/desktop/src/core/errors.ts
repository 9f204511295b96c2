// Errors raised by the core services. Each carries a stable SCREAMING_SNAKE `code` that the
// CLI prints and scripts can match; the package error that caused it stays in `cause`.

export type CoreErrorCode =
  | 'ACCOUNT_NOT_FOUND'
  | 'ACCOUNT_AMBIGUOUS'
  | 'IDENTITY_NOT_FOUND'
  | 'KEY_NOT_FOUND'
  | 'KEY_UNUSABLE'
  | 'INVALID_ARGUMENT'
  | 'INVALID_PASSPHRASE'
  | 'PASSPHRASE_REQUIRED'
  | 'RECIPIENT_KEY_MISSING'
  | 'MESSAGE_NOT_FOUND'
  | 'VAULT_CORRUPT'
  | 'KEYCHAIN_UNAVAILABLE'
  | 'KEYCHAIN_LOCKED'
  | 'KEYCHAIN_ENTRY_MISSING'
  | 'KEYSTORE_CORRUPT'
  | 'RECOVERY_CODE_INVALID'
  | 'BACKUP_CORRUPT'
  | 'BACKUP_ADDRESS_MISMATCH'
  | 'SHARES_INSUFFICIENT'
  | 'SHARES_INVALID'
  | 'AUDIT_LOG_INVALID'
  | 'AUDIT_LOG_TRUNCATED'
  | 'AUDIT_ANCHOR_INVALID'
  | 'KEY_REVOKED'
  | 'OWN_KEY_REVOKED'
  | 'RECIPIENT_KEY_UNSUPPORTED'
  | 'RECIPIENT_KEY_CHANGED'
  | 'FINGERPRINT_MISMATCH'
  | 'KEY_LOOKUP_NOT_FOUND'
  | 'SETUP_CODE_INVALID'
  | 'FIDO2_REQUIRED'
  | 'FIDO2_SLOT_TAMPERED'
  | 'FIDO2_SLOT_NOT_FOUND'
  | 'FIDO2_SLOT_EXISTS'
  | 'FIDO2_LAST_UNLOCK_METHOD'
  | 'OUTBOX_ENTRY_NOT_FOUND'
  | 'OUTBOX_ENTRY_BUSY'
  | 'CONFIRMATION_REQUIRED'
  | 'MESSAGE_TOO_LARGE'
  | 'MESSAGE_FILE_DAMAGED'
  | 'MIME_MALFORMED'
  | 'KEY_NOT_REVOKED';

export class CoreError extends Error {
  readonly code: CoreErrorCode;

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreError';
    this.code = code;
  }
}

/** Returns the stable code of any Sealpost error, or `INTERNAL_ERROR` for anything else. */
export function errorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    if (/^[A-Z][A-Z0-9_]+$/.test(error.code)) return error.code;
  }
  return 'INTERNAL_ERROR';
}
