// Exit codes of the Stateless OpenPGP CLI (draft-dkg-openpgp-stateless-cli) and the mapping
// from crypto-core's error codes to them. Every failure ends the command with one of these
// codes and one line on standard error.

/** The failure names of the SOP draft and their exit codes. */
export const sopExitCodes = {
  NO_SIGNATURE: 3,
  UNSUPPORTED_ASYMMETRIC_ALGO: 13,
  CERT_CANNOT_ENCRYPT: 17,
  MISSING_ARG: 19,
  INCOMPLETE_VERIFICATION: 23,
  CANNOT_DECRYPT: 29,
  PASSWORD_NOT_HUMAN_READABLE: 31,
  UNSUPPORTED_OPTION: 37,
  BAD_DATA: 41,
  EXPECTED_TEXT: 53,
  OUTPUT_EXISTS: 59,
  MISSING_INPUT: 61,
  KEY_IS_PROTECTED: 67,
  UNSUPPORTED_SUBCOMMAND: 69,
  UNSUPPORTED_SPECIAL_PREFIX: 71,
  AMBIGUOUS_INPUT: 73,
  KEY_CANNOT_SIGN: 79,
  INCOMPATIBLE_OPTIONS: 83,
  UNSUPPORTED_PROFILE: 89,
} as const;

export type SopFailure = keyof typeof sopExitCodes;

/** A failure with its SOP name; `exitCode` is the process exit status. */
export class SopError extends Error {
  override readonly name = 'SopError';
  readonly code: SopFailure;

  constructor(code: SopFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  get exitCode(): number {
    return sopExitCodes[this.code];
  }
}

/** crypto-core error codes and the SOP failure each one means. */
const cryptoFailures: Record<string, SopFailure> = {
  INVALID_ARGUMENT: 'BAD_DATA',
  KEY_MALFORMED: 'BAD_DATA',
  MESSAGE_MALFORMED: 'BAD_DATA',
  UNSUPPORTED_ALGORITHM: 'UNSUPPORTED_ASYMMETRIC_ALGO',
  KEY_NOT_FOUND: 'CANNOT_DECRYPT',
  NO_ENCRYPTION_SUBKEY: 'CERT_CANNOT_ENCRYPT',
  NO_SIGNING_KEY: 'KEY_CANNOT_SIGN',
  INVALID_PASSPHRASE: 'KEY_IS_PROTECTED',
  DECRYPT_FAILED: 'CANNOT_DECRYPT',
};

/**
 * Converts any thrown value to a SopError. crypto-core errors keep their message and become
 * the matching SOP failure; anything else is returned as null, an internal error (exit 1).
 */
export function toSopError(error: unknown): SopError | null {
  if (error instanceof SopError) return error;
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    const failure = cryptoFailures[error.code];
    if (failure) return new SopError(failure, error.message, { cause: error });
  }
  return null;
}
