// The rules that decide what becomes of each leaf body in a streamed walk: body text, HTML, an
// attachment kept in memory or decoded into a sink, or nothing. They follow parseEntity, so
// both readers give the same text, HTML and attachments, in the same order, for the same tree.

import { readDisposition } from './body-decoding.ts';
import { firstFieldValue } from './header-section.ts';
import type { MimeNode } from './mime-tree.ts';
import type { StreamParseLimits } from './stream-entity.ts';
import {
  AttachmentBody,
  capturedAttachment,
  capturedText,
  discardBody,
  TextCapture,
  type CapturedPart,
  type ContentItem,
  type LeafHandler,
  type OpenAttachmentSink,
  type StreamedAttachment,
} from './stream-parts.ts';

/** Destination of content items: applied at once at the root, kept in order inside multipart/alternative. */
export class Collector<T> {
  readonly items: Array<ContentItem<T>> = [];

  constructor(private readonly apply: ((item: ContentItem<T>) => void) | null) {}

  add(item: ContentItem<T>): void {
    if (this.apply) this.apply(item);
    else this.items.push(item);
  }
}

/** The last text/plain and text/html child of a multipart/alternative and the rest in order. */
export interface AlternativeParts<T> {
  plain: CapturedPart | null;
  html: CapturedPart | null;
  deferred: Collector<T>;
}

/** Content destinations of an open multipart entity, which its children write to. */
export interface ContentFrame<T> {
  /** Collector of this entity's content. */
  output: Collector<T>;
  /** For multipart/alternative: the last text/plain and text/html child and the rest in order. */
  alternative: AlternativeParts<T> | null;
}

/** Hands an ended multipart/alternative's content to its parent's collector, as parseEntity orders it. */
export function flushAlternative<T>(frame: ContentFrame<T>): void {
  const alternative = frame.alternative;
  if (alternative === null) return;
  // parseEntity takes the alternative's own text and HTML first, then its multipart children.
  if (alternative.plain) frame.output.add({ kind: 'text', text: capturedText(alternative.plain) });
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

/** The message's text, HTML and attachments, and the attachment bodies still being written to sinks. */
export class BodyContent<T> {
  readonly root = new Collector<T>((item) => this.#applyAtRoot(item));
  readonly #textParts: string[] = [];
  #html: string | null = null;
  readonly #attachments: Array<StreamedAttachment<T>> = [];
  readonly #budget: { textBytes: number; maxTextBytes: number };
  #inMemoryBytes = 0;
  readonly #streaming: Array<AttachmentBody<T>> = [];

  constructor(
    private readonly limits: StreamParseLimits,
    private readonly openSink: OpenAttachmentSink<T>,
  ) {
    this.#budget = { textBytes: 0, maxTextBytes: limits.maxTextBytes };
  }

  get text(): string | null {
    return this.#textParts.length > 0 ? this.#textParts.join('\n') : null;
  }

  get html(): string | null {
    return this.#html;
  }

  get attachments(): Array<StreamedAttachment<T>> {
    return this.#attachments;
  }

  /** Closes a leaf's handler and counts an attachment kept in memory against maxInMemoryTotalBytes. */
  closeLeaf(handler: LeafHandler): void {
    handler.close();
    if (handler instanceof AttachmentBody && !handler.streaming) {
      this.#inMemoryBytes += handler.attachment.size;
    }
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

  /** Chooses what happens to a leaf's body, by parseEntity's rules. */
  leafHandler(
    node: MimeNode,
    parent: ContentFrame<T> | null,
    hasProtectedHeaders: boolean,
  ): LeafHandler {
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

    const collector = parent === null ? this.root : parent.output;
    const disposition = readDisposition(node);
    const isAttachment = disposition.type === 'attachment';
    // RFC 9788 section 4.5.3: the Legacy Display Element is not body text.
    if (
      hasProtectedHeaders &&
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
    const htmlTaken = collector === this.root && this.#html !== null;
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
