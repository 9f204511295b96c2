// Conversion of the stream types callers hand over (WHATWG ReadableStream, Node.js Readable,
// any async iterable of bytes) into the WHATWG ReadableStream that openpgp.js 6 reads.

import { Readable } from 'node:stream';
import { ReadableStream, TextDecoderStream } from 'node:stream/web';
import { CryptoError } from '../errors.ts';

/** A byte stream as callers pass it to the streaming functions. */
export type ByteSource = ReadableStream<Uint8Array> | Readable | AsyncIterable<Uint8Array>;

/** Returns `source` as a WHATWG ReadableStream of Uint8Array chunks. */
export function toWebStream(source: unknown, label: string): ReadableStream<Uint8Array> {
  if (source instanceof ReadableStream) return source as ReadableStream<Uint8Array>;
  if (source instanceof Readable) return Readable.toWeb(source) as ReadableStream<Uint8Array>;
  if (typeof source === 'object' && source !== null && Symbol.asyncIterator in source) {
    return Readable.toWeb(
      Readable.from(source as AsyncIterable<Uint8Array>),
    ) as ReadableStream<Uint8Array>;
  }
  throw new CryptoError(
    'INVALID_ARGUMENT',
    `${label} must be a ReadableStream, a Node.js Readable or an async iterable of Uint8Array chunks.`,
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
