// Byte helpers for the ratchet wire formats: a big-endian writer and a bounds-checked reader
// that fails with a RatchetError naming the field, plus wiping and constant-time comparison.
import { timingSafeEqual } from 'node:crypto';

import { RatchetError, type RatchetErrorCode } from './errors.ts';

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Overwrites each buffer with zeros; `undefined` and `null` entries are skipped. */
export function wipe(...buffers: Array<Uint8Array | undefined | null>): void {
  for (const buffer of buffers) buffer?.fill(0);
}

/** Compares two byte strings in time that depends only on their lengths. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Orders two byte strings lexicographically; used only on public keys. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = (a[i] as number) - (b[i] as number);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export class ByteWriter {
  private readonly parts: Uint8Array[] = [];

  bytes(value: Uint8Array): this {
    this.parts.push(value);
    return this;
  }

  u8(value: number): this {
    this.parts.push(Uint8Array.of(value));
    return this;
  }

  u32(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    this.parts.push(out);
    return this;
  }

  /** Writes a non-negative safe integer (such as milliseconds since the epoch) as 8 bytes. */
  u64(value: number): this {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(value));
    this.parts.push(out);
    return this;
  }

  /** Writes a presence byte, then the key when present. */
  optional(value: Uint8Array | null): this {
    return value === null ? this.u8(0) : this.u8(1).bytes(value);
  }

  /** Writes a 4-byte length, then the bytes. */
  lengthPrefixed(value: Uint8Array): this {
    return this.u32(value.length).bytes(value);
  }

  finish(): Uint8Array {
    return concatBytes(...this.parts);
  }
}

export class ByteReader {
  private offset = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly label: string,
    private readonly code: RatchetErrorCode = 'MESSAGE_MALFORMED',
  ) {}

  get remaining(): number {
    return this.data.length - this.offset;
  }

  get position(): number {
    return this.offset;
  }

  /** Returns a copy, so the caller may wipe it without touching the input. */
  bytes(length: number, field: string): Uint8Array {
    if (length < 0 || this.offset + length > this.data.length) {
      throw new RatchetError(
        this.code,
        `The ${this.label} is truncated: ${field} needs ${length} bytes at offset ${this.offset}, ` +
          `but only ${this.remaining} remain. The data is damaged or not a ${this.label}.`,
      );
    }
    const out = this.data.slice(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  u8(field: string): number {
    return this.bytes(1, field)[0] as number;
  }

  u32(field: string): number {
    return new DataView(this.bytes(4, field).buffer).getUint32(0);
  }

  u64(field: string): number {
    const value = new DataView(this.bytes(8, field).buffer).getBigUint64(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RatchetError(this.code, `The ${this.label} field ${field} is out of range.`);
    }
    return Number(value);
  }

  optional(length: number, field: string): Uint8Array | null {
    const present = this.u8(`${field} presence`);
    if (present === 0) return null;
    if (present !== 1) {
      throw new RatchetError(
        this.code,
        `The ${this.label} field ${field} has presence byte ${present}; expected 0 or 1.`,
      );
    }
    return this.bytes(length, field);
  }

  lengthPrefixed(field: string, maxLength: number): Uint8Array {
    const length = this.u32(`${field} length`);
    if (length > maxLength) {
      throw new RatchetError(
        this.code,
        `The ${this.label} field ${field} claims ${length} bytes; at most ${maxLength} are allowed.`,
      );
    }
    return this.bytes(length, field);
  }

  /** Returns everything left. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, 'rest');
  }

  expectEnd(): void {
    if (this.remaining !== 0) {
      throw new RatchetError(
        this.code,
        `The ${this.label} has ${this.remaining} unexpected trailing bytes.`,
      );
    }
  }
}
