// BER-TLV data objects as ISO/IEC 7816-4 and the OpenPGP card specification 3.4
// use them. Tags may span several bytes (first byte low bits 0x1F) and are constructed when bit
// 0x20 of the first byte is set. Lengths are definite, with 0x81 or 0x82 before long ones.
import { HardwareTokenError } from '../errors.ts';

export interface Tlv {
  tag: number;
  value: Uint8Array;
  /** Nested objects when the tag is constructed, else empty. */
  children: Tlv[];
}

function malformed(detail: string): HardwareTokenError {
  return new HardwareTokenError(
    'CARD_RESPONSE_MALFORMED',
    `The card returned malformed BER-TLV data: ${detail}. Check that the card runs the OpenPGP application.`,
  );
}

function isConstructed(tag: number): boolean {
  let first = tag;
  while (first > 0xff) first >>>= 8;
  return (first & 0x20) !== 0;
}

/** Parses a sequence of BER-TLV objects, descending into constructed ones. */
export function parseTlv(bytes: Uint8Array): Tlv[] {
  const objects: Tlv[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    // ISO/IEC 7816-4 allows 0x00 and 0xFF as padding between objects.
    if (bytes[offset] === 0x00 || bytes[offset] === 0xff) {
      offset += 1;
      continue;
    }

    let tag = bytes[offset++]!;
    if ((tag & 0x1f) === 0x1f) {
      let next: number;
      do {
        if (offset >= bytes.length) throw malformed('tag runs past the end');
        next = bytes[offset++]!;
        tag = (tag << 8) | next;
      } while ((next & 0x80) !== 0 && tag <= 0xffffff);
    }

    if (offset >= bytes.length) throw malformed(`tag ${tag.toString(16)} has no length`);
    let length = bytes[offset++]!;
    if (length === 0x81 || length === 0x82 || length === 0x83) {
      const count = length & 0x7f;
      if (offset + count > bytes.length) throw malformed('length runs past the end');
      length = 0;
      for (let i = 0; i < count; i += 1) length = (length << 8) | bytes[offset++]!;
    } else if (length > 0x7f) {
      throw malformed(`unsupported length byte ${length.toString(16)}`);
    }

    if (offset + length > bytes.length) {
      throw malformed(
        `tag ${tag.toString(16)} declares ${length} bytes but ${bytes.length - offset} remain`,
      );
    }
    const value = bytes.slice(offset, offset + length);
    offset += length;
    // 7F48 (private key template) is constructed but lists tags and lengths without values
    // (OpenPGP card specification 3.4), so it is not parsed further.
    const nested = isConstructed(tag) && tag !== 0x7f48;
    objects.push({ tag, value, children: nested ? parseTlv(value) : [] });
  }
  return objects;
}

/** Finds the first object with `tag`, searching nested objects depth first. */
export function findTlv(objects: Tlv[], tag: number): Tlv | undefined {
  for (const object of objects) {
    if (object.tag === tag) return object;
    const nested = findTlv(object.children, tag);
    if (nested) return nested;
  }
  return undefined;
}

function encodeTag(tag: number): number[] {
  const out: number[] = [];
  let rest = tag;
  do {
    out.unshift(rest & 0xff);
    rest >>>= 8;
  } while (rest > 0);
  return out;
}

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  if (length <= 0xff) return [0x81, length];
  if (length <= 0xffff) return [0x82, length >> 8, length & 0xff];
  throw new RangeError(`BER-TLV length ${length} exceeds 65535`);
}

/** Encodes one object; `value` is raw bytes or already-encoded nested objects. */
export function encodeTlv(tag: number, value: Uint8Array | Uint8Array[]): Uint8Array {
  const body = Array.isArray(value) ? concatBytes(value) : value;
  const head = [...encodeTag(tag), ...encodeLength(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** Encodes only the tag and length, for the OpenPGP card's extended header lists. */
export function encodeTagAndLength(tag: number, length: number): Uint8Array {
  return new Uint8Array([...encodeTag(tag), ...encodeLength(length)]);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
