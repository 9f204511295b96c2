// Header section reader for RFC 5322 section 2.2 over bytes: field lines, folded continuation
// lines and the empty line that ends the section. Values are unfolded but not decoded, so
// callers apply RFC 2047 or RFC 2231 decoding by field. Accepts LF as well as CRLF.

import { TransportError } from '../transport-error.ts';

/** Maximum number of fields in one header section, far above the few dozen of a typical message. */
const MAX_HEADER_FIELDS = 2000;

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;

export interface HeaderField {
  /** Field name as written. */
  name: string;
  /** Field name lowercased, for lookups. */
  key: string;
  /** Unfolded value without leading and trailing whitespace, not decoded. */
  value: string;
}

export interface HeaderSection {
  fields: HeaderField[];
  /** Offset where the body starts (after the empty line), or `end` when there is no body. */
  bodyStart: number;
  /** True when the section ended at a line that is neither a field nor a continuation. */
  endedAtInvalidLine: boolean;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const latin1Decoder = new TextDecoder('latin1');

/** Decodes header bytes as UTF-8 (RFC 6532), falling back to Latin-1 for legacy 8-bit headers. */
function decodeHeaderBytes(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return latin1Decoder.decode(bytes);
  }
}

/** Returns the offset of the colon when the line is a field line (`name:` with a printable name). */
function fieldColonOffset(bytes: Uint8Array, lineStart: number, lineEnd: number): number {
  let offset = lineStart;
  while (offset < lineEnd && bytes[offset] !== COLON) {
    const byte = bytes[offset] as number;
    if (byte <= SPACE || byte >= 0x7f) break;
    offset++;
  }
  const nameEnd = offset;
  // Obsolete syntax (RFC 5322 section 4.5) allows whitespace between the name and the colon.
  while (offset < lineEnd && (bytes[offset] === SPACE || bytes[offset] === TAB)) offset++;
  if (nameEnd === lineStart || bytes[offset] !== COLON) return -1;
  return offset;
}

/** Default maximum size of one header section; see ParseLimits.maxHeaderBytes. */
const DEFAULT_MAX_HEADER_BYTES = 1024 * 1024;

/**
 * Reads the header section of the entity in `bytes[start, end)`. Raises MESSAGE_TOO_LARGE when
 * the section runs past `maxHeaderBytes` without ending.
 */
export function readHeaderSection(
  bytes: Uint8Array,
  start: number,
  end: number,
  maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES,
): HeaderSection {
  const fields: HeaderField[] = [];
  let current: { name: string; lines: Array<[number, number]> } | null = null;

  const flush = (): void => {
    if (!current) return;
    const value = current.lines
      .map(([from, to]) => decodeHeaderBytes(bytes.subarray(from, to)))
      .join('');
    fields.push({ name: current.name, key: current.name.toLowerCase(), value: value.trim() });
    if (fields.length > MAX_HEADER_FIELDS) {
      throw new TransportError(
        'MIME_MALFORMED',
        `header section has more than ${MAX_HEADER_FIELDS} fields: the message is not a valid mail message`,
      );
    }
    current = null;
  };

  let lineStart = start;
  while (lineStart < end) {
    let lineEnd = bytes.indexOf(LF, lineStart);
    const nextLine = lineEnd === -1 || lineEnd >= end ? end : lineEnd + 1;
    if (lineEnd === -1 || lineEnd >= end) lineEnd = end;
    const contentEnd = lineEnd > lineStart && bytes[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (nextLine - start > maxHeaderBytes) {
      throw new TransportError(
        'MESSAGE_TOO_LARGE',
        `header section at byte ${start} is longer than ${maxHeaderBytes} bytes; the message is kept as received but not parsed`,
      );
    }

    if (contentEnd === lineStart) {
      flush();
      return { fields, bodyStart: nextLine, endedAtInvalidLine: false };
    }

    const first = bytes[lineStart];
    if ((first === SPACE || first === TAB) && current) {
      current.lines.push([lineStart, contentEnd]);
    } else {
      const colon = fieldColonOffset(bytes, lineStart, contentEnd);
      if (colon === -1) {
        flush();
        return { fields, bodyStart: lineStart, endedAtInvalidLine: true };
      }
      flush();
      const name = decodeHeaderBytes(bytes.subarray(lineStart, colon)).trim();
      current = { name, lines: [[colon + 1, contentEnd]] };
    }
    lineStart = nextLine;
  }

  flush();
  return { fields, bodyStart: end, endedAtInvalidLine: false };
}

/** Returns the values of every field named `key` (lowercase), in order. */
export function fieldValues(fields: ReadonlyArray<HeaderField>, key: string): string[] {
  return fields.filter((field) => field.key === key).map((field) => field.value);
}

/** Returns the value of the first field named `key` (lowercase), or null. */
export function firstFieldValue(fields: ReadonlyArray<HeaderField>, key: string): string | null {
  return fields.find((field) => field.key === key)?.value ?? null;
}
