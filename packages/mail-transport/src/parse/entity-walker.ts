// The state machine behind parseEntityStream: it follows the MIME tree line by line, keeps a
// frame per open multipart entity and hands each leaf body to the handler that BodyContent
// chooses. Delimiter lines of outer multiparts end every entity inside them, as in parseMimeTree.

import { BodyContent, Collector, flushAlternative, type ContentFrame } from './body-content.ts';
import { fieldValues, readHeaderSection, type HeaderField } from './header-section.ts';
import { readMessageHeaders } from './message-headers.ts';
import type { MimeNode } from './mime-tree.ts';
import type { ProtectedHeaders } from './parse-entity.ts';
import type { StreamedEntity, StreamParseLimits } from './stream-entity.ts';
import { LineSplitter, matchDelimiter } from './stream-lines.ts';
import {
  InMemoryNeeded,
  type AttachmentBody,
  type LeafHandler,
  type OpenAttachmentSink,
  type TextCapture,
} from './stream-parts.ts';
import {
  addHeaderLine,
  createHeaderState,
  nodeOf,
  type HeaderState,
} from './streamed-header-section.ts';
import { TransportError } from '../transport-error.ts';

/** Lines longer than this are handled in fragments; see LineSplitter. */
const MAX_LINE_BYTES = 64 * 1024;
const DASH = 0x2d;

interface Frame<T> extends ContentFrame<T> {
  mediaType: string;
  start: number;
  boundary: string;
  delimiter: Buffer;
  depth: number;
  childDefault: string;
  sawDelimiter: boolean;
  closed: boolean;
}

type State<T> =
  | HeaderState<Frame<T>>
  | { kind: 'body'; handler: LeafHandler; pendingBreak: Buffer | null }
  | { kind: 'between' };

export class EntityWalker<T> {
  readonly #splitter = new LineSplitter(MAX_LINE_BYTES, (content, lineBreak, lineStart) =>
    this.#line(content, lineBreak, lineStart),
  );
  readonly #frames: Array<Frame<T>> = [];
  #state: State<T>;
  #offset = 0;
  #parts = 0;
  #firstLine = true;
  #skipRestOfLine = false;
  #rootFields: HeaderField[] = [];
  #protectedHeaders: ProtectedHeaders | null = null;
  readonly #content: BodyContent<T>;

  constructor(
    private readonly limits: StreamParseLimits,
    openSink: OpenAttachmentSink<T>,
  ) {
    this.#content = new BodyContent<T>(limits, openSink);
    this.#state = createHeaderState<Frame<T>>(0, 0, 'text/plain', null);
  }

  push(chunk: Uint8Array): void {
    this.#splitter.push(chunk);
    const state = this.#state;
    if (state.kind === 'body' && 'raw' in state.handler) {
      (state.handler as TextCapture | AttachmentBody<T>).raw.compact();
    }
  }

  end(): void {
    this.#splitter.end();
    // Only a delimiter line takes the line break before it, so the input's last one stays.
    const state = this.#state;
    if (state.kind === 'body' && state.pendingBreak !== null) {
      state.handler.push(state.pendingBreak);
      state.pendingBreak = null;
    }
    this.#closeTo(-1);
  }

  /** Writes decoded attachment bytes to their sinks and completes the closed ones, in order. */
  async drain(): Promise<void> {
    await this.#content.drain();
  }

  async abort(): Promise<void> {
    await this.#content.abort();
  }

  result(): StreamedEntity<T> {
    return {
      headers: readMessageHeaders(this.#rootFields),
      protectedHeaders: this.#protectedHeaders,
      text: this.#content.text,
      html: this.#content.html,
      attachments: this.#content.attachments,
      gossipHeaders: fieldValues(this.#rootFields, 'autocrypt-gossip'),
      nestedSigned: [],
    };
  }

  #line(content: Buffer, lineBreak: Buffer, lineStart: boolean): void {
    const nextOffset = this.#offset + content.length + lineBreak.length;
    this.#offset = nextOffset;
    if (this.#skipRestOfLine) {
      this.#skipRestOfLine = lineBreak.length === 0;
      return;
    }
    if (this.#firstLine) {
      this.#firstLine = false;
      // An mbox "From " line before the header section is skipped, as parseMimeTree does.
      if (content.subarray(0, 5).toString('latin1') === 'From ') {
        this.#skipRestOfLine = lineBreak.length === 0;
        (this.#state as HeaderState<Frame<T>>).start = nextOffset;
        return;
      }
    }

    // A delimiter of an outer multipart ends every entity inside it (RFC 2046 section 5.1.1).
    if (lineStart && content[0] === DASH) {
      for (let level = 0; level < this.#frames.length; level++) {
        const match = matchDelimiter(content, this.#frames[level]!.delimiter);
        if (match === null) continue;
        this.#skipRestOfLine = lineBreak.length === 0;
        this.#delimiter(level, match, nextOffset);
        return;
      }
    }

    const state = this.#state;
    if (state.kind === 'header') this.#headerLine(state, content, lineBreak, lineStart);
    else if (state.kind === 'body') this.#bodyLine(state, content, lineBreak);
  }

  #headerLine(
    state: HeaderState<Frame<T>>,
    content: Buffer,
    lineBreak: Buffer,
    lineStart: boolean,
  ): void {
    const outcome = addHeaderLine(state, content, lineBreak, lineStart, this.limits.maxHeaderBytes);
    if (outcome === 'field') return;
    this.#endHeader(state);
    if (outcome === 'end') return;

    // The line that ended the header section is the body's first line.
    const next = this.#state;
    if (next.kind === 'body') this.#bodyLine(next, content, lineBreak);
  }

  #bodyLine(
    state: { handler: LeafHandler; pendingBreak: Buffer | null },
    content: Buffer,
    lineBreak: Buffer,
  ): void {
    // The line break before a delimiter line belongs to the delimiter, so each one waits.
    if (state.pendingBreak !== null) state.handler.push(state.pendingBreak);
    if (content.length > 0) state.handler.push(content);
    state.pendingBreak = lineBreak.length > 0 ? lineBreak : null;
  }

  #delimiter(level: number, match: 'open' | 'close', nextOffset: number): void {
    const frame = this.#frames[level]!;
    // Delimiters after the close-delimiter are part of the epilogue.
    if (frame.closed) return;
    this.#closeTo(level);
    frame.sawDelimiter = true;
    if (match === 'close') {
      frame.closed = true;
      return;
    }
    this.#state = createHeaderState(nextOffset, frame.depth + 1, frame.childDefault, frame);
  }

  /** Ends the open entities inside frame `level` (-1: all of them, at the end of the input). */
  #closeTo(level: number): void {
    for (;;) {
      this.#endState();
      if (this.#frames.length - 1 <= level) return;
      this.#popFrame();
    }
  }

  #endState(): void {
    const state = this.#state;
    if (state.kind === 'header') {
      this.#endHeader(state);
      this.#endState();
      return;
    }
    if (state.kind === 'body') this.#content.closeLeaf(state.handler);
    this.#state = { kind: 'between' };
  }

  #popFrame(): void {
    const frame = this.#frames.pop()!;
    if (!frame.sawDelimiter) {
      throw new TransportError(
        'MIME_MALFORMED',
        `${frame.mediaType} entity at byte ${frame.start} has no delimiter line for boundary ${JSON.stringify(frame.boundary)}`,
      );
    }
    flushAlternative(frame);
  }

  #endHeader(state: HeaderState<Frame<T>>): void {
    const bytes = Buffer.concat(state.lines);
    const { fields } = readHeaderSection(bytes, 0, bytes.length, Number.MAX_SAFE_INTEGER);
    this.#parts += 1;
    if (this.#parts > this.limits.maxParts) {
      throw new TransportError(
        'MIME_MALFORMED',
        `message has more than ${this.limits.maxParts} MIME parts; it is kept as received but not parsed`,
      );
    }
    const parent = state.parent;
    if (
      parent === null &&
      (fields.length === 0 || (state.endedAtInvalidLine && fields.length < 2))
    ) {
      throw new TransportError(
        'MIME_MALFORMED',
        'input does not start with an RFC 5322 header section (expected lines like "From: ..."): keep the raw bytes and show it as undecodable',
      );
    }
    const node = nodeOf(fields, state.defaultMediaType, state.start);
    if (parent === null) this.#setRoot(node);

    if (!node.mediaType.startsWith('multipart/')) {
      const handler = this.#content.leafHandler(node, parent, this.#protectedHeaders !== null);
      this.#state = { kind: 'body', handler, pendingBreak: null };
      return;
    }
    this.#pushFrame(node, state.depth, parent);
  }

  #pushFrame(node: MimeNode, depth: number, parent: Frame<T> | null): void {
    if (depth + 1 > this.limits.maxDepth) {
      throw new TransportError(
        'MIME_MALFORMED',
        `MIME nesting is deeper than ${this.limits.maxDepth} levels; the message is kept as received but not parsed`,
      );
    }
    const boundary = node.parameters['boundary'];
    if (!boundary) {
      throw new TransportError(
        'MIME_MALFORMED',
        `${node.mediaType} entity at byte ${node.start} has no boundary parameter`,
      );
    }
    if (
      node.mediaType === 'multipart/signed' &&
      node.parameters['protocol']?.trim().toLowerCase() === 'application/pgp-signature'
    ) {
      throw new InMemoryNeeded('signed-part');
    }
    const output =
      parent === null ? this.#content.root : (parent.alternative?.deferred ?? parent.output);
    this.#frames.push({
      mediaType: node.mediaType,
      start: node.start,
      boundary,
      delimiter: Buffer.from(`--${boundary}`, 'utf8'),
      depth,
      // RFC 2046 section 5.1.5: parts of multipart/digest default to message/rfc822.
      childDefault: node.mediaType === 'multipart/digest' ? 'message/rfc822' : 'text/plain',
      sawDelimiter: false,
      closed: false,
      output,
      alternative:
        node.mediaType === 'multipart/alternative'
          ? { plain: null, html: null, deferred: new Collector<T>(null) }
          : null,
    });
    this.#state = { kind: 'between' };
  }

  #setRoot(node: MimeNode): void {
    this.#rootFields = node.fields;
    const hasProtected =
      'hp' in node.parameters ||
      'protected-headers' in node.parameters ||
      node.fields.some((field) => field.key === 'from' || field.key === 'subject');
    if (hasProtected) {
      const { subject, from, to, cc, date, messageId } = readMessageHeaders(node.fields);
      this.#protectedHeaders = { subject, from, to, cc, date, messageId };
    }
  }
}
