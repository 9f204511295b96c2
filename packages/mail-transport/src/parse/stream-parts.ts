// Leaf bodies of a MIME entity read as a stream (stream-entity.ts). Text is captured in memory.
// Attachments stay in memory while small and are otherwise decoded into a sink that the caller
// provides. Content items keep document order, which multipart/alternative changes as
// parseEntity does.

import { decodeTextBody, decodeTransferEncoding } from './body-decoding.ts';
import type { MimeNode } from './mime-tree.ts';
import { createTransferDecoder, type TransferDecoder } from './transfer-decoders.ts';

/** An attachment of a streamed entity: its decoded bytes, or what a sink stored them as. */
export interface StreamedAttachment<T> {
  filename: string | null;
  contentType: string;
  /** Size in bytes after transfer decoding. */
  size: number;
  /** The decoded bytes when the attachment was kept in memory, else null. */
  content: Uint8Array | null;
  /** The value that the sink's end() returned for an attachment kept out of memory, else null. */
  stored: T | null;
}

/** Receives the decoded bytes of one large attachment, for example into an encrypted file. */
export interface AttachmentSink<T> {
  write(chunk: Uint8Array): Promise<void>;
  /** Completes the attachment and returns what refers to it. */
  end(): Promise<T>;
  /** Discards what was written; called when parsing fails. */
  abort(): Promise<void>;
}

export type OpenAttachmentSink<T> = (part: {
  filename: string | null;
  contentType: string;
}) => Promise<AttachmentSink<T>>;

/** A leaf body captured in memory, with a node over `raw` for the body-decoding helpers. */
export interface CapturedPart {
  node: MimeNode;
  raw: Uint8Array;
}

/**
 * Content in document order. `html` becomes the HTML body when there is none yet, otherwise an
 * attachment when `attachmentOtherwise` is true (parseEntity's rule for a second text/html).
 */
export type ContentItem<T> =
  | { kind: 'text'; text: string }
  | { kind: 'html'; part: CapturedPart; filename: string | null; attachmentOtherwise: boolean }
  | { kind: 'attachment'; attachment: StreamedAttachment<T> };

/** Reason to parse an entity in memory instead of as a stream. */
export type InMemoryReason = 'signed-part' | 'large-text';

/** Stops the walk when the entity must be parsed in memory. */
export class InMemoryNeeded extends Error {
  constructor(readonly reason: InMemoryReason) {
    super(`the entity must be parsed in memory (${reason})`);
  }
}

/** Decoded bytes collected before a sink write, so writes are few and large. */
const SINK_WRITE_BYTES = 1024 * 1024;

/** Encoded bytes collected before a decoder call. */
const DECODE_BATCH_BYTES = 256 * 1024;

/** A leaf body's consumer: pushes are synchronous, and writes to a sink wait for drain(). */
export interface LeafHandler {
  push(bytes: Uint8Array): void;
  close(): void;
}

export const discardBody: LeafHandler = { push: () => undefined, close: () => undefined };

/** Returns a node for body-decoding helpers over a captured body. */
export function capturedNode(node: MimeNode, raw: Uint8Array): CapturedPart {
  return { node: { ...node, start: 0, bodyStart: 0, end: raw.length, children: [] }, raw };
}

/** Decodes a captured text part the way parseEntity does, with LF line breaks. */
export function capturedText(part: CapturedPart): string {
  return decodeTextBody(part.raw, part.node).text.replace(/\r\n/g, '\n');
}

/** Returns a captured part as an attachment kept in memory. */
export function capturedAttachment<T>(
  part: CapturedPart,
  filename: string | null,
): StreamedAttachment<T> {
  const content = decodeTransferEncoding(part.raw, part.node);
  return {
    filename,
    contentType: part.node.mediaType,
    size: content.length,
    content,
    stored: null,
  };
}

/** Collects raw body pieces; compact() copies them so that no chunk of the stream is retained. */
export class RawBody {
  #owned: Buffer[] = [];
  #borrowed: Uint8Array[] = [];
  length = 0;

  push(bytes: Uint8Array): void {
    this.#borrowed.push(bytes);
    this.length += bytes.length;
  }

  compact(): void {
    if (this.#borrowed.length === 0) return;
    this.#owned.push(Buffer.concat(this.#borrowed));
    this.#borrowed = [];
  }

  take(): Buffer {
    const all = Buffer.concat([...this.#owned, ...this.#borrowed]);
    this.#owned = [];
    this.#borrowed = [];
    this.length = 0;
    return all;
  }
}

/** Captures a text body in memory, counting it against a shared budget of text bytes. */
export class TextCapture implements LeafHandler {
  readonly raw = new RawBody();

  constructor(
    private readonly node: MimeNode,
    private readonly budget: { textBytes: number; maxTextBytes: number },
    private readonly onClose: (part: CapturedPart) => void,
  ) {}

  push(bytes: Uint8Array): void {
    this.budget.textBytes += bytes.length;
    if (this.budget.textBytes > this.budget.maxTextBytes) throw new InMemoryNeeded('large-text');
    this.raw.push(bytes);
  }

  close(): void {
    this.onClose(capturedNode(this.node, this.raw.take()));
  }
}

/**
 * An attachment: kept in memory while its encoded body stays within `inMemoryBytes`, then
 * decoded as it arrives and written to a sink opened at the first decoded byte.
 */
export class AttachmentBody<T> implements LeafHandler {
  readonly raw = new RawBody();
  readonly attachment: StreamedAttachment<T>;
  #decoder: TransferDecoder | null = null;
  #batch = new RawBody();
  #output: Uint8Array[] = [];
  #outputBytes = 0;
  #sink: AttachmentSink<T> | null = null;
  closed = false;

  constructor(
    private readonly node: MimeNode,
    filename: string | null,
    private readonly encoding: string,
    private readonly inMemoryBytes: number,
    private readonly onStream: (body: AttachmentBody<T>) => void,
  ) {
    this.attachment = {
      filename,
      contentType: node.mediaType,
      size: 0,
      content: null,
      stored: null,
    };
  }

  get streaming(): boolean {
    return this.#decoder !== null;
  }

  push(bytes: Uint8Array): void {
    if (this.#decoder === null) {
      this.raw.push(bytes);
      if (this.raw.length <= this.inMemoryBytes) return;
      this.#decoder = createTransferDecoder(this.encoding);
      this.#batch.push(this.raw.take());
      this.onStream(this);
    } else {
      this.#batch.push(bytes);
    }
    if (this.#batch.length >= DECODE_BATCH_BYTES) this.#decode(false);
  }

  close(): void {
    this.closed = true;
    if (this.#decoder === null) {
      const part = capturedNode(this.node, this.raw.take());
      const content = decodeTransferEncoding(part.raw, part.node);
      this.attachment.content = content;
      this.attachment.size = content.length;
      return;
    }
    this.#decode(true);
    // An attachment whose body decodes to nothing needs no sink.
    if (this.#sink === null && this.#outputBytes === 0) this.attachment.content = new Uint8Array(0);
  }

  /** Writes the decoded bytes to the sink; after close() also completes it. */
  async drain(openSink: OpenAttachmentSink<T>): Promise<void> {
    if (this.#outputBytes >= SINK_WRITE_BYTES || (this.closed && this.#outputBytes > 0)) {
      this.#sink ??= await openSink({
        filename: this.attachment.filename,
        contentType: this.attachment.contentType,
      });
      const chunk = Buffer.concat(this.#output);
      this.#output = [];
      this.#outputBytes = 0;
      await this.#sink.write(chunk);
    }
    if (this.closed && this.#sink !== null) {
      const sink = this.#sink;
      this.#sink = null;
      this.attachment.stored = await sink.end();
    }
  }

  async abort(): Promise<void> {
    const sink = this.#sink;
    this.#sink = null;
    this.#output = [];
    await sink?.abort();
  }

  #decode(final: boolean): void {
    const decoder = this.#decoder!;
    const decoded = [decoder.write(this.#batch.take())];
    if (final) decoded.push(decoder.end());
    for (const part of decoded) {
      if (part.length === 0) continue;
      this.#output.push(part);
      this.#outputBytes += part.length;
      this.attachment.size += part.length;
    }
  }
}
