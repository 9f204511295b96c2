// The state machine behind parseEntityStream: it follows the MIME tree line by line, keeps a
// frame per open multipart entity and hands each leaf body to its handler (stream-parts.ts).
// Delimiter lines of outer multiparts end every entity inside them, as in parseMimeTree.

import { readDisposition } from './body-decoding.ts';
import {
  fieldValues,
  firstFieldValue,
  readHeaderSection,
  type HeaderField,
} from './header-section.ts';
import { readMessageHeaders } from './message-headers.ts';
import { parseParameterizedValue, type MimeNode } from './mime-tree.ts';
import type { ProtectedHeaders } from './parse-entity.ts';
import type { StreamedEntity, StreamParseLimits } from './stream-entity.ts';
import { isFieldLine, LineSplitter, matchDelimiter } from './stream-lines.ts';
import {
  AttachmentBody,
  capturedAttachment,
  capturedText,
  discardBody,
  InMemoryNeeded,
  TextCapture,
  type CapturedPart,
  type ContentItem,
  type LeafHandler,
  type OpenAttachmentSink,
  type StreamedAttachment,
} from './stream-parts.ts';
import { TransportError } from '../transport-error.ts';

/** Lines longer than this are handled in fragments; see LineSplitter. */
const MAX_LINE_BYTES = 64 * 1024;
const DASH = 0x2d;

/** Destination of content items: applied at once at the root, kept in order inside multipart/alternative. */
class Collector<T> {
  readonly items: Array<ContentItem<T>> = [];

  constructor(private readonly apply: ((item: ContentItem<T>) => void) | null) {}

  add(item: ContentItem<T>): void {
    if (this.apply) this.apply(item);
    else this.items.push(item);
  }
}

interface Frame<T> {
  mediaType: string;
  start: number;
  boundary: string;
  delimiter: Buffer;
  depth: number;
  childDefault: string;
  sawDelimiter: boolean;
  closed: boolean;
  /** Collector of this entity's content. */
  output: Collector<T>;
  /** For multipart/alternative: the last text/plain and text/html child and the rest in order. */
  alternative: {
    plain: CapturedPart | null;
    html: CapturedPart | null;
    deferred: Collector<T>;
  } | null;
}

interface HeaderState<T> {
  kind: 'header';
  start: number;
  depth: number;
  defaultMediaType: string;
  parent: Frame<T> | null;
  bytes: number;
  lines: Buffer[];
  hasField: boolean;
  endedAtInvalidLine: boolean;
}

type State<T> =
  | HeaderState<T>
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
  readonly #textParts: string[] = [];
  #html: string | null = null;
  readonly #attachments: Array<StreamedAttachment<T>> = [];
  readonly #root = new Collector<T>((item) => this.#applyAtRoot(item));
  readonly #budget: { textBytes: number; maxTextBytes: number };
  #inMemoryBytes = 0;
  readonly #streaming: Array<AttachmentBody<T>> = [];

  constructor(
    private readonly limits: StreamParseLimits,
    private readonly openSink: OpenAttachmentSink<T>,
  ) {
    this.#budget = { textBytes: 0, maxTextBytes: limits.maxTextBytes };
    this.#state = this.#headerState(0, 0, 'text/plain', null);
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
    while (this.#streaming.length > 0) {
      const body = this.#streaming[0]!;
      await body.drain(this.openSink);
      if (!body.closed) break;
      this.#streaming.shift();
    }
    // Bodies after an open one are closed already and are completed at a later drain.
  }

  async abort(): Promise<void> {
    for (const body of this.#streaming.splice(0)) await body.abort().catch(() => undefined);
  }

  result(): StreamedEntity<T> {
    return {
      headers: readMessageHeaders(this.#rootFields),
      protectedHeaders: this.#protectedHeaders,
      text: this.#textParts.length > 0 ? this.#textParts.join('\n') : null,
      html: this.#html,
      attachments: this.#attachments,
      gossipHeaders: fieldValues(this.#rootFields, 'autocrypt-gossip'),
      nestedSigned: [],
    };
  }

  #headerState(
    start: number,
    depth: number,
    defaultMediaType: string,
    parent: Frame<T> | null,
  ): HeaderState<T> {
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
        (this.#state as HeaderState<T>).start = nextOffset;
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

  #headerLine(state: HeaderState<T>, content: Buffer, lineBreak: Buffer, lineStart: boolean): void {
    state.bytes += content.length + lineBreak.length;
    if (state.bytes > this.limits.maxHeaderBytes) {
      throw new TransportError(
        'MESSAGE_TOO_LARGE',
        `header section at byte ${state.start} is longer than ${this.limits.maxHeaderBytes} bytes; the message is kept as received but not parsed`,
      );
    }
    const empty = content.length === 0 || (lineBreak.length === 0 && content.equals(CR_ONLY));
    if (lineStart && empty) {
      this.#endHeader(state);
      return;
    }
    const first = content[0];
    const continuation = !lineStart || ((first === 0x20 || first === 0x09) && state.hasField);
    if (continuation || isFieldLine(content)) {
      state.hasField ||= !continuation;
      state.lines.push(Buffer.from(content), Buffer.from(lineBreak));
      return;
    }
    // A line that is neither a field nor a continuation starts the body.
    state.endedAtInvalidLine = true;
    this.#endHeader(state);
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
    this.#state = this.#headerState(nextOffset, frame.depth + 1, frame.childDefault, frame);
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
    if (state.kind === 'body') {
      state.handler.close();
      if (state.handler instanceof AttachmentBody && !state.handler.streaming) {
        this.#inMemoryBytes += state.handler.attachment.size;
      }
    }
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
    const alternative = frame.alternative;
    if (alternative === null) return;
    // parseEntity takes the alternative's own text and HTML first, then its multipart children.
    if (alternative.plain)
      frame.output.add({ kind: 'text', text: capturedText(alternative.plain) });
    if (alternative.html) {
      frame.output.add({
        kind: 'html',
        part: alternative.html,
        filename: null,
        attachmentOtherwise: false,
      });
    }
    for (const item of alternative.deferred.items) frame.output.add(item);
  }

  #endHeader(state: HeaderState<T>): void {
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
      this.#state = { kind: 'body', handler: this.#leafHandler(node, parent), pendingBreak: null };
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
    const output = parent === null ? this.#root : (parent.alternative?.deferred ?? parent.output);
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

  /** Chooses what happens to a leaf's body, by parseEntity's rules. */
  #leafHandler(node: MimeNode, parent: Frame<T> | null): LeafHandler {
    const alternative = parent?.alternative;
    if (alternative) {
      if (node.mediaType === 'text/plain') {
        return new TextCapture(node, this.#budget, (part) => (alternative.plain = part));
      }
      if (node.mediaType === 'text/html') {
        return new TextCapture(node, this.#budget, (part) => (alternative.html = part));
      }
      return discardBody;
    }

    const collector = parent === null ? this.#root : parent.output;
    const disposition = readDisposition(node);
    const isAttachment = disposition.type === 'attachment';
    // RFC 9788 section 4.5.3: the Legacy Display Element is not body text.
    if (
      this.#protectedHeaders !== null &&
      node.parameters['hp-legacy-display'] === '1' &&
      node.mediaType.startsWith('text/')
    ) {
      return discardBody;
    }
    if (node.mediaType === 'text/plain' && !isAttachment) {
      return new TextCapture(node, this.#budget, (part) =>
        collector.add({ kind: 'text', text: capturedText(part) }),
      );
    }
    const htmlTaken = collector === this.#root && this.#html !== null;
    if (node.mediaType === 'text/html' && !isAttachment && !htmlTaken) {
      return new TextCapture(node, this.#budget, (part) =>
        collector.add({
          kind: 'html',
          part,
          filename: disposition.filename,
          attachmentOtherwise: true,
        }),
      );
    }

    const encoding = (firstFieldValue(node.fields, 'content-transfer-encoding') ?? '7bit')
      .trim()
      .toLowerCase();
    const inMemoryBytes = Math.min(
      this.limits.maxInMemoryAttachmentBytes,
      Math.max(0, this.limits.maxInMemoryTotalBytes - this.#inMemoryBytes),
    );
    const body = new AttachmentBody<T>(
      node,
      disposition.filename,
      encoding,
      inMemoryBytes,
      (streamed) => this.#streaming.push(streamed),
    );
    collector.add({ kind: 'attachment', attachment: body.attachment });
    return body;
  }

  #applyAtRoot(item: ContentItem<T>): void {
    if (item.kind === 'text') {
      this.#textParts.push(item.text);
    } else if (item.kind === 'attachment') {
      this.#attachments.push(item.attachment);
    } else if (this.#html === null) {
      this.#html = capturedText(item.part);
    } else if (item.attachmentOtherwise) {
      this.#attachments.push(capturedAttachment(item.part, item.filename));
    }
  }
}

const CR_ONLY = Buffer.from('\r');

/** Returns the node of a header section, with the media type rules of parseMimeTree. */
function nodeOf(fields: HeaderField[], defaultMediaType: string, start: number): MimeNode {
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
