// Input checks at the repository boundary. Each returns the normalized value or throws
// StorageError INVALID_ARGUMENT naming the field, the expected form and the value received.

import { StorageError } from './errors.ts';

function invalid(field: string, expected: string, value: unknown): StorageError {
  const printed = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : String(value);
  return new StorageError('INVALID_ARGUMENT', `${field}: expected ${expected}, got ${printed}.`);
}

/** Trims and lowercases an email address; storage compares addresses in this form. */
export function normalizeAddress(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, 'an email address', value);
  const address = value.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw invalid(field, 'an email address', value);
  return address;
}

/** Removes spaces from an OpenPGP fingerprint and lowercases it, the form crypto-core returns (40 hex digits for v4, 64 for v6). */
export function normalizeFingerprint(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, 'a hex fingerprint', value);
  const fingerprint = value.replace(/\s+/g, '').toLowerCase();
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(fingerprint)) {
    throw invalid(field, 'a v4 (40 hex digits) or v6 (64 hex digits) fingerprint', value);
  }
  return fingerprint;
}

/** Checks that `value` is ASCII armor starting with one of `headers`, e.g. the public key header. */
export function requireArmored(value: unknown, headers: readonly string[], field: string): string {
  if (typeof value !== 'string' || !headers.some((header) => value.startsWith(header))) {
    throw invalid(field, `armored text starting with ${headers.join(' or ')}`, value);
  }
  return value;
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(field, 'non-empty text', value);
  return value;
}

export function requireInteger(value: unknown, min: number, max: number, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** Row ids are positive SQLite integers. */
export function requireId(value: unknown, field: string): number {
  return requireInteger(value, 1, Number.MAX_SAFE_INTEGER, field);
}

/** UIDs and UIDVALIDITY are non-zero 32-bit unsigned integers (RFC 9051 section 2.3.1.1). */
export function requireUint32(value: unknown, field: string): number {
  return requireInteger(value, 1, 0xffff_ffff, field);
}

export function requireBytes(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.byteLength === 0) {
    throw invalid(field, 'a non-empty Uint8Array', value);
  }
  return value;
}

export function requireOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(field, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

/** Rejects option keys that the function does not know, so a typo does not pass silently. */
export function rejectUnknownKeys(value: object, known: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `${field}: unknown option "${key}". Known options: ${known.join(', ')}.`,
      );
    }
  }
}
