// Boundary checks shared by the public functions: OpenPGP data that may arrive armored
// (RFC 9580 section 6) or binary, in a string or in bytes, plus small argument validators.
import { CryptoError } from './errors.ts';

/** OpenPGP data as a caller hands it over: armored text, or armored or binary bytes. */
export type OpenPgpData = string | Uint8Array;

export type DecodedData = { armored: string } | { binary: Uint8Array };

const armorHeader = '-----BEGIN PGP ';

/**
 * Sorts input into armored text or binary packets. Bytes that contain an armor header line
 * are decoded as UTF-8 text, because mail bodies carry armored blocks as bytes.
 */
export function decodeOpenPgpData(data: unknown, label: string): DecodedData {
  if (typeof data === 'string') {
    if (data.trim() === '') {
      throw new CryptoError(
        'INVALID_ARGUMENT',
        `${label} is empty; pass armored text or binary packets.`,
      );
    }
    return { armored: data };
  }

  if (data instanceof Uint8Array) {
    if (data.length === 0) {
      throw new CryptoError(
        'INVALID_ARGUMENT',
        `${label} is empty; pass armored text or binary packets.`,
      );
    }
    const head = new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(0, 4096));
    if (head.includes(armorHeader)) {
      return { armored: new TextDecoder('utf-8', { fatal: false }).decode(data) };
    }
    return { binary: data };
  }

  throw new CryptoError(
    'INVALID_ARGUMENT',
    `${label} must be a string or a Uint8Array, got ${describeType(data)}.`,
  );
}

export function requireBytes(value: unknown, label: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `${label} must be a Uint8Array, got ${describeType(value)}.`,
    );
  }
  return value;
}

export function requireString(value: unknown, label: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `${label} must be a non-empty string, got ${describeType(value)}.`,
    );
  }
  return value;
}

export function requireArray(value: unknown, label: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `${label} must be an array, got ${describeType(value)}.`,
    );
  }
  return value;
}

export function optionalDate(value: unknown, label: string): Date {
  if (value === undefined) return new Date();
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `${label} must be a valid Date, got ${describeType(value)}.`,
    );
  }
  return value;
}

/** Rejects option names that the function does not know, so a misspelt option is not ignored. */
export function rejectUnknownOptions(
  options: object,
  known: readonly string[],
  functionName: string,
): void {
  const unknown = Object.keys(options).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `${functionName}: unknown option ${unknown.join(', ')}; known options are ${known.join(', ')}.`,
    );
  }
}

export function requireOptions(value: unknown, functionName: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `${functionName}: expected an options object, got ${describeType(value)}.`,
    );
  }
  return value as Record<string, unknown>;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return typeof value;
}
