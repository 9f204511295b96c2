// Conversion of the stream types callers hand over (WHATWG ReadableStream, Node.js Readable,
// any async iterable of bytes) into the WHATWG ReadableStream that openpgp.js 6 reads. Small
// chunks are gathered into chunks of at least 1 MiB, because each web stream stage of
// openpgp.js (cipher, MDC hash, signature hash, packet framing) has a fixed cost per chunk.

import { Readable } from 'node:stream';
import { ReadableStream, TextDecoderStream } from 'node:stream/web';
import { CryptoError } from '../errors.ts';

/** A byte stream as callers pass it to the streaming functions. */
export type ByteSource = ReadableStream<Uint8Array> | Readable | AsyncIterable<Uint8Array>;

/** Minimum size of the chunks handed to openpgp.js, except the last. */
export const STREAM_CHUNK_BYTES = 1024 * 1024;

/** A caller's source as openpgp.js reads it, and a way to close that source early. */
export interface WebSource {
  stream: ReadableStream<Uint8Array>;
  /**
   * Closes the caller's source without reading the rest, also while openpgp.js has a reader
   * on `stream`. Safe to call more than once and after the source has ended.
   */
  close(): Promise<void>;
}

/**
 * Returns `source` as a WHATWG ReadableStream of Uint8Array chunks of at least
 * STREAM_CHUNK_BYTES (the last may be shorter). Chunks that are already large pass uncopied.
 */
export function toWebStream(source: unknown, label: string): ReadableStream<Uint8Array> {
  return toWebSource(source, label).stream;
}

/** Like toWebStream, and also returns a function that closes the caller's source. */
export function toWebSource(source: unknown, label: string): WebSource {
  const isSource =
    source instanceof ReadableStream ||
    source instanceof Readable ||
    (typeof source === 'object' && source !== null && Symbol.asyncIterator in source);
  if (!isSource) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `${label} must be a ReadableStream, a Node.js Readable or an async iterable of Uint8Array chunks.`,
    );
  }
  const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const close = async (): Promise<void> => {
    // A Node.js Readable is destroyed without an error: ending its async iterator early would
    // emit an AbortError 'error' event that the caller may not listen for.
    if (source instanceof Readable) source.destroy();
    else await iterator.return?.();
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const parts: Uint8Array[] = [];
      let length = 0;
      while (length < STREAM_CHUNK_BYTES) {
        const { done, value } = await iterator.next();
        if (done) break;
        const chunk = requireChunk(value, label);
        if (chunk.length === 0) continue;
        parts.push(chunk);
        length += chunk.length;
      }
      if (parts.length === 1) controller.enqueue(parts[0]!);
      else if (parts.length > 1) controller.enqueue(Buffer.concat(parts, length));
      if (length < STREAM_CHUNK_BYTES) controller.close();
    },
    cancel: close,
  });
  return { stream, close: () => close().catch(() => undefined) };
}

function requireChunk(value: unknown, label: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new CryptoError(
    'INVALID_ARGUMENT',
    `${label} produced a ${typeof value === 'string' ? 'string' : typeof value} chunk; ` +
      'pass a stream of Uint8Array chunks (open files without an encoding).',
  );
}

/** Decodes an armored byte stream as UTF-8 text, which openpgp.js reads armor from. */
export function toTextStream(source: ReadableStream<Uint8Array>): ReadableStream<string> {
  return source.pipeThrough(new TextDecoderStream());
}

/** Checks the declared encoding of a streamed OpenPGP message. */
export function requireFormat(value: unknown): 'armored' | 'binary' {
  if (value === 'armored' || value === 'binary') return value;
  throw new CryptoError(
    'INVALID_ARGUMENT',
    `format must be 'armored' or 'binary', got ${JSON.stringify(value)}.`,
  );
}
