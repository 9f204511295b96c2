// Typed errors of @sealpost/hardware-token. Every error has a stable SCREAMING_SNAKE `code`
// that callers branch on, a message that names the bad value and the next step, and the
// lower-level error as `cause`. Messages never contain PINs, keys or derived secrets.

export type HardwareTokenErrorCode =
  // PC/SC and the OpenPGP card application
  | 'PCSC_UNAVAILABLE'
  | 'CARD_READER_NOT_FOUND'
  | 'CARD_NOT_PRESENT'
  | 'CARD_REMOVED'
  | 'CARD_APPLICATION_NOT_FOUND'
  | 'CARD_PIN_INVALID'
  | 'CARD_PIN_FORMAT_INVALID'
  | 'CARD_BLOCKED'
  | 'CARD_SECURITY_STATUS_NOT_SATISFIED'
  | 'CARD_KEY_MISSING'
  | 'CARD_KEY_MISMATCH'
  | 'CARD_ALGORITHM_UNSUPPORTED'
  | 'CARD_COMMAND_FAILED'
  | 'CARD_RESPONSE_MALFORMED'
  // CTAPHID and CTAP2
  | 'FIDO_DEVICE_NOT_FOUND'
  | 'FIDO_TRANSPORT_FAILED'
  | 'FIDO_FRAME_MALFORMED'
  | 'FIDO_TIMEOUT'
  | 'FIDO_PIN_REQUIRED'
  | 'FIDO_PIN_INVALID'
  | 'FIDO_PIN_BLOCKED'
  | 'FIDO_EXTENSION_UNSUPPORTED'
  | 'FIDO_CREDENTIAL_NOT_FOUND'
  | 'FIDO_COMMAND_FAILED'
  | 'FIDO_RESPONSE_MALFORMED';

export class HardwareTokenError extends Error {
  override readonly name = 'HardwareTokenError';
  readonly code: HardwareTokenErrorCode;

  constructor(code: HardwareTokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Error of a PIN check: `retriesLeft` is what the token reported after the failed try. */
export class PinError extends HardwareTokenError {
  readonly retriesLeft: number;

  constructor(
    code: 'CARD_PIN_INVALID' | 'CARD_BLOCKED' | 'FIDO_PIN_INVALID' | 'FIDO_PIN_BLOCKED',
    message: string,
    retriesLeft: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.retriesLeft = retriesLeft;
  }
}
