// MIME structure splitter over bytes (RFC 2045 section 5, RFC 2046 section 5.1.1): each entity
// keeps its byte range in the source, so a multipart/signed part can be handed to a verifier
// exactly as received. Depth and part count are bounded, so hostile input cannot exhaust memory.

import libmime from 'libmime';

import { readHeaderSection, firstFieldValue, type HeaderField } from './header-section.ts';
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from './parse-limits.ts';
import { TransportError } from '../transport-error.ts';

/** Default maximum multipart nesting depth, far above what mail clients produce. */
export const MAX_MIME_DEPTH = DEFAULT_PARSE_LIMITS.maxDepth;

/** Default maximum number of entities in one message. */
export const MAX_MIME_PARTS = DEFAULT_PARSE_LIMITS.maxParts;

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;

export interface MimeNode {
  fields: HeaderField[];
  /** Lowercased `type/subtype`, or text/plain when the Content-Type is missing or invalid. */
  mediaType: string;
  /** Content-Type parameters, names lowercased, RFC 2231 and RFC 2047 decoded. */
  parameters: Record<string, string>;
  /** Offset of the first header byte in the source. */
  start: number;
  bodyStart: number;
  /** Offset after the last byte of the entity (before the CRLF of the next delimiter). */
  end: number;
  children: MimeNode[];
}

/** Parses a header value with parameters (Content-Type, Content-Disposition). */
export function parseParameterizedValue(value: string): {
  value: string;
  parameters: Record<string, string>;
} {
  const parsed = libmime.parseHeaderValue(value, { stripComments: true });
  const parameters: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(parsed.params)) {
    // Parameters assembled from RFC 2231 sections are decoded already. Others may carry RFC 2047 words.
    parameters[name] = parsed.decodedParams.includes(name)
      ? parameter
      : libmime.decodeWords(parameter);
  }
  return { value: parsed.value.trim().toLowerCase(), parameters };
}

/**
 * Splits `bytes` into a MIME tree. Raises MIME_MALFORMED when the top-level header section is
 * not a header section, a multipart entity has no boundary or no delimiter line, or a bound is hit.
 */
export function parseMimeTree(
  bytes: Uint8Array,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): MimeNode {
  if (!(bytes instanceof Uint8Array)) {
    throw new TransportError(
      'MIME_MALFORMED',
      'message must be a Uint8Array of the raw RFC 5322 bytes',
    );
  }
  const start = skipMboxFromLine(bytes);
  const header = readHeaderSection(bytes, start, bytes.length, limits.maxHeaderBytes);
  if (header.fields.length === 0 || (header.endedAtInvalidLine && header.fields.length < 2)) {
    throw new TransportError(
      'MIME_MALFORMED',
      'input does not start with an RFC 5322 header section (expected lines like "From: ..."): keep the raw bytes and show it as undecodable',
    );
  }
  const counter = { parts: 0 };
  return buildNode(bytes, start, bytes.length, 0, { counter, limits }, 'text/plain');
}

function skipMboxFromLine(bytes: Uint8Array): number {
  const prefix = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 5)).toString(
    'latin1',
  );
  if (prefix !== 'From ') return 0;
  const lineEnd = bytes.indexOf(LF);
  return lineEnd === -1 ? bytes.length : lineEnd + 1;
}

function buildNode(
  bytes: Uint8Array,
  start: number,
  end: number,
  depth: number,
  walk: { counter: { parts: number }; limits: ParseLimits },
  defaultMediaType: string,
): MimeNode {
  const { counter, limits } = walk;
  counter.parts++;
  if (counter.parts > limits.maxParts) {
    throw new TransportError(
      'MIME_MALFORMED',
      `message has more than ${limits.maxParts} MIME parts; it is kept as received but not parsed`,
    );
  }

  const header = readHeaderSection(bytes, start, end, limits.maxHeaderBytes);
  const contentType = firstFieldValue(header.fields, 'content-type');
  let mediaType = defaultMediaType;
  let parameters: Record<string, string> = {};
  if (contentType !== null) {
    const parsed = parseParameterizedValue(contentType);
    if (/^[^/\s]+\/[^/\s]+$/.test(parsed.value)) {
      mediaType = parsed.value;
      parameters = parsed.parameters;
    }
  }

  const node: MimeNode = {
    fields: header.fields,
    mediaType,
    parameters,
    start,
    bodyStart: header.bodyStart,
    end,
    children: [],
  };
  if (!mediaType.startsWith('multipart/')) return node;

  if (depth + 1 > limits.maxDepth) {
    throw new TransportError(
      'MIME_MALFORMED',
      `MIME nesting is deeper than ${limits.maxDepth} levels; the message is kept as received but not parsed`,
    );
  }
  const boundary = parameters['boundary'];
  if (!boundary) {
    throw new TransportError(
      'MIME_MALFORMED',
      `${mediaType} entity at byte ${start} has no boundary parameter`,
    );
  }

  const ranges = splitMultipartBody(bytes, header.bodyStart, end, boundary);
  if (ranges === null) {
    throw new TransportError(
      'MIME_MALFORMED',
      `${mediaType} entity at byte ${start} has no delimiter line for boundary ${JSON.stringify(boundary)}`,
    );
  }
  // RFC 2046 section 5.1.5: parts of multipart/digest default to message/rfc822.
  const childDefault = mediaType === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
  node.children = ranges.map(([from, to]) =>
    buildNode(bytes, from, to, depth + 1, walk, childDefault),
  );
  return node;
}

/**
 * Finds the body parts between delimiter lines. A part ends before the line break that precedes
 * the next delimiter line. A missing close-delimiter ends the last part at the end of the body.
 * Returns null when no delimiter line is found.
 */
function splitMultipartBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  boundary: string,
): Array<[number, number]> | null {
  const delimiter = Buffer.from(`--${boundary}`, 'utf8');
  const ranges: Array<[number, number]> = [];
  let partStart = -1;
  let lineStart = start;

  while (lineStart < end) {
    let lineEnd = bytes.indexOf(LF, lineStart);
    if (lineEnd === -1 || lineEnd >= end) lineEnd = end;
    const nextLine = lineEnd === end ? end : lineEnd + 1;

    if (bytes[lineStart] === DASH && matchesDelimiter(bytes, lineStart, lineEnd, delimiter)) {
      const isClose =
        bytes[lineStart + delimiter.length] === DASH &&
        bytes[lineStart + delimiter.length + 1] === DASH;
      if (partStart !== -1) ranges.push([partStart, partEnd(bytes, partStart, lineStart)]);
      if (isClose) return ranges;
      partStart = nextLine;
    }
    lineStart = nextLine;
  }

  if (partStart === -1) return null;
  ranges.push([partStart, end]);
  return ranges;
}

/** Returns where a part ends: before the CRLF (or LF) that belongs to the following delimiter line. */
function partEnd(bytes: Uint8Array, partStart: number, delimiterLineStart: number): number {
  let offset = delimiterLineStart;
  if (offset > partStart && bytes[offset - 1] === LF) offset--;
  if (offset > partStart && bytes[offset - 1] === CR) offset--;
  return offset;
}

function matchesDelimiter(
  bytes: Uint8Array,
  lineStart: number,
  lineEnd: number,
  delimiter: Uint8Array,
): boolean {
  if (lineStart + delimiter.length > lineEnd) return false;
  for (let i = 0; i < delimiter.length; i++) {
    if (bytes[lineStart + i] !== delimiter[i]) return false;
  }
  // After the boundary only "--" (close-delimiter) and transport padding whitespace may follow.
  let offset = lineStart + delimiter.length;
  if (bytes[offset] === DASH && bytes[offset + 1] === DASH) offset += 2;
  for (; offset < lineEnd; offset++) {
    const byte = bytes[offset];
    if (byte !== 0x20 && byte !== 0x09 && byte !== CR) return false;
  }
  return true;
}
