// Collection of one entity's header section in a streamed walk (RFC 5322 section 2.2). It
// gathers field and continuation lines up to the empty line, or up to a line that is neither.
// nodeOf then reads the fields into a MimeNode by parseMimeTree's Content-Type rules.

import { firstFieldValue, type HeaderField } from './header-section.ts';
import { parseParameterizedValue, type MimeNode } from './mime-tree.ts';
import { isFieldLine } from './stream-lines.ts';
import { TransportError } from '../transport-error.ts';

/** A header section in progress. `parent` is the enclosing multipart frame, or null at the root. */
export interface HeaderState<P> {
  kind: 'header';
  start: number;
  depth: number;
  defaultMediaType: string;
  parent: P | null;
  bytes: number;
  lines: Buffer[];
  hasField: boolean;
  endedAtInvalidLine: boolean;
}

/** Effect of one line on a header section: a field or continuation line, the empty line that ends it, or the body's first line. */
export type HeaderLineOutcome = 'field' | 'end' | 'body';

export function createHeaderState<P>(
  start: number,
  depth: number,
  defaultMediaType: string,
  parent: P | null,
): HeaderState<P> {
  return {
    kind: 'header',
    start,
    depth,
    defaultMediaType,
    parent,
    bytes: 0,
    lines: [],
    hasField: false,
    endedAtInvalidLine: false,
  };
}

/** Adds one line to a header section, and raises MESSAGE_TOO_LARGE above `maxHeaderBytes`. */
export function addHeaderLine<P>(
  state: HeaderState<P>,
  content: Buffer,
  lineBreak: Buffer,
  lineStart: boolean,
  maxHeaderBytes: number,
): HeaderLineOutcome {
  state.bytes += content.length + lineBreak.length;
  if (state.bytes > maxHeaderBytes) {
    throw new TransportError(
      'MESSAGE_TOO_LARGE',
      `header section at byte ${state.start} is longer than ${maxHeaderBytes} bytes; the message is kept as received but not parsed`,
    );
  }
  const empty = content.length === 0 || (lineBreak.length === 0 && content.equals(CR_ONLY));
  if (lineStart && empty) return 'end';

  const first = content[0];
  const continuation = !lineStart || ((first === 0x20 || first === 0x09) && state.hasField);
  if (continuation || isFieldLine(content)) {
    state.hasField ||= !continuation;
    state.lines.push(Buffer.from(content), Buffer.from(lineBreak));
    return 'field';
  }
  // A line that is neither a field nor a continuation starts the body.
  state.endedAtInvalidLine = true;
  return 'body';
}

const CR_ONLY = Buffer.from('\r');

/** Returns the node of a header section, with the media type rules of parseMimeTree. */
export function nodeOf(fields: HeaderField[], defaultMediaType: string, start: number): MimeNode {
  const contentType = firstFieldValue(fields, 'content-type');
  let mediaType = defaultMediaType;
  let parameters: Record<string, string> = {};
  if (contentType !== null) {
    const parsed = parseParameterizedValue(contentType);
    if (/^[^/\s]+\/[^/\s]+$/.test(parsed.value)) {
      mediaType = parsed.value;
      parameters = parsed.parameters;
    }
  }
  return { fields, mediaType, parameters, start, bodyStart: 0, end: 0, children: [] };
}
