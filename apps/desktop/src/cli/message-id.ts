// Parses the message id argument of `read`, `flag`, `move` and `delete`.

import { CoreError } from '../core/errors.ts';

/**
 * Parses a message id: decimal digits only, from 1 up to Number.MAX_SAFE_INTEGER. Number()
 * alone would also accept "0x1", "1e3" and " 1", which are not ids that "sealpost list" prints.
 */
export function parseMessageId(id: string): number {
  const value = /^[0-9]+$/.test(id) ? Number(id) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Message id "${id}" is not valid; give the number that "sealpost list" shows, such as 12.`,
    );
  }
  return value;
}
