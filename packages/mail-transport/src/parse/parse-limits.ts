// Resource limits for parsing received mail: MIME nesting depth, entity count, header section
// size and armored block size. Each limit raises MESSAGE_TOO_LARGE or MIME_MALFORMED naming the
// limit, so hostile input costs bounded memory and time and the raw bytes stay stored.

import { TransportError } from '../transport-error.ts';

export interface ParseLimits {
  /** Maximum multipart nesting depth. */
  maxDepth: number;
  /** Maximum number of MIME entities in one message. */
  maxParts: number;
  /** Maximum size of one header section in bytes, folded lines included. */
  maxHeaderBytes: number;
  /** Maximum size of one ASCII-armored OpenPGP block (ciphertext or signature) in bytes. */
  maxArmorBytes: number;
}

/**
 * Defaults far above what mail clients produce. The armor limit matches the buffered
 * decryption path of crypto-core; larger messages need its streaming API.
 */
export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxDepth: 32,
  maxParts: 5000,
  maxHeaderBytes: 1024 * 1024,
  maxArmorBytes: 384 * 1024 * 1024,
});

/** Merges caller overrides into the defaults and validates every value at the boundary. */
export function resolveParseLimits(overrides: Partial<ParseLimits> | undefined): ParseLimits {
  const limits = { ...DEFAULT_PARSE_LIMITS, ...(overrides ?? {}) };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw new TransportError(
        'INVALID_ARGUMENT',
        `parse limit ${name} is ${JSON.stringify(value)}; expected a positive integer`,
      );
    }
  }
  return limits;
}

/** Raises MESSAGE_TOO_LARGE when an armored block is larger than the limit. */
export function checkArmorSize(size: number, limits: ParseLimits, label: string): void {
  if (size > limits.maxArmorBytes) {
    throw new TransportError(
      'MESSAGE_TOO_LARGE',
      `${label} is ${size} bytes, above the limit of ${limits.maxArmorBytes} bytes for an armored block; ` +
        'the message is kept as received, and larger messages need the streaming decryption path',
    );
  }
}
