// TransportError: the one error class of @sealpost/mail-transport, with a stable code per kind of
// failure (malformed input, invalid argument, authentication, connection, TLS, server rejection).
// Messages name the value at fault and what to do next. They never contain a password.

export type TransportErrorCode =
  | 'INVALID_ARGUMENT'
  | 'MIME_MALFORMED'
  | 'MESSAGE_TOO_LARGE'
  | 'AUTOCRYPT_INVALID'
  | 'IMAP_AUTH_FAILED'
  | 'IMAP_CONNECTION_FAILED'
  | 'IMAP_COMMAND_FAILED'
  | 'FOLDER_NOT_FOUND'
  | 'SMTP_AUTH_FAILED'
  | 'SMTP_CONNECTION_FAILED'
  | 'SMTP_RECIPIENT_REJECTED'
  | 'SMTP_MESSAGE_REJECTED'
  | 'SMTP_TEMPORARY_FAILURE'
  | 'TLS_CERTIFICATE_INVALID'
  | 'KEY_LOOKUP_FAILED'
  | 'KEY_LOOKUP_TIMED_OUT'
  | 'SETUP_MESSAGE_INVALID';

export class TransportError extends Error {
  readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
    this.code = code;
  }
}

/** Raises INVALID_ARGUMENT with `message` unless `condition` holds. */
export function assertArgument(condition: boolean, message: string): asserts condition {
  if (!condition) throw new TransportError('INVALID_ARGUMENT', message);
}
