// E-mail address checks at the boundary: a light syntax check (RFC 5322 addr-spec without
// comments or quoted local parts) and the lowercase form used as a lookup key.

import { CoreError } from './errors.ts';

const ADDRESS_PATTERN = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

/** Returns `address` trimmed and lowercased, or raises INVALID_ARGUMENT naming `field`. */
export function normalizeAddress(address: string, field: string): string {
  const trimmed = address.trim();
  if (!ADDRESS_PATTERN.test(trimmed)) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `${field}: "${address}" is not an e-mail address like name@example.org.`,
    );
  }
  return trimmed.toLowerCase();
}
