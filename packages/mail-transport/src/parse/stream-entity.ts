// Reader for a MIME entity that arrives as a stream, such as a large decrypted payload read
// back from an encrypted spool (RFC 2045, RFC 2046 section 5.1). It gives what parseEntity gives
// for the same bytes, but keeps only headers, text and small attachments in memory. Larger
// attachments are decoded into sinks that the caller provides. A PGP/MIME multipart/signed
// entity anywhere in the tree stops the walk, because verifying it needs its exact bytes, and
// so do text parts above `maxTextBytes`. The caller then parses the bytes in memory.

import { EntityWalker } from './entity-walker.ts';
import type { ParsedEntity } from './parse-entity.ts';
import { DEFAULT_PARSE_LIMITS, resolveParseLimits, type ParseLimits } from './parse-limits.ts';
import {
  InMemoryNeeded,
  type InMemoryReason,
  type OpenAttachmentSink,
  type StreamedAttachment,
} from './stream-parts.ts';

export type {
  AttachmentSink,
  InMemoryReason,
  OpenAttachmentSink,
  StreamedAttachment,
} from './stream-parts.ts';

export interface StreamParseLimits extends ParseLimits {
  /** Maximum encoded size of an attachment kept in memory; larger ones go to a sink. */
  maxInMemoryAttachmentBytes: number;
  /** Maximum total size of the attachments kept in memory; later ones go to a sink. */
  maxInMemoryTotalBytes: number;
  /** Maximum total encoded size of the text/plain and text/html parts, which stay in memory. */
  maxTextBytes: number;
}

export const DEFAULT_STREAM_PARSE_LIMITS: Readonly<StreamParseLimits> = Object.freeze({
  ...DEFAULT_PARSE_LIMITS,
  maxInMemoryAttachmentBytes: 1024 * 1024,
  maxInMemoryTotalBytes: 16 * 1024 * 1024,
  maxTextBytes: 8 * 1024 * 1024,
});

/** A parsed entity whose attachments are in memory or in the caller's sinks. */
export interface StreamedEntity<T> extends Omit<ParsedEntity, 'attachments' | 'signed'> {
  attachments: Array<StreamedAttachment<T>>;
}

/**
 * `in-memory` means the entity must be parsed in memory: it contains a PGP/MIME multipart/signed
 * entity (`signed-part`), or its text parts are larger than `maxTextBytes` (`large-text`).
 */
export type EntityStreamResult<T> =
  { kind: 'entity'; entity: StreamedEntity<T> } | { kind: 'in-memory'; reason: InMemoryReason };

/**
 * Parses the entity read from `source`. Raises MIME_MALFORMED or MESSAGE_TOO_LARGE like
 * parseEntity. On a raise or an `in-memory` result, the sinks not yet completed are aborted. Every value that a sink's end()
 * returned before that belongs to the caller, who must release it.
 */
export async function parseEntityStream<T>(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: { openSink: OpenAttachmentSink<T>; limits?: Partial<StreamParseLimits> },
): Promise<EntityStreamResult<T>> {
  const walker = new EntityWalker<T>(resolveStreamLimits(options.limits), options.openSink);
  try {
    for await (const chunk of source) {
      walker.push(chunk);
      await walker.drain();
    }
    walker.end();
    await walker.drain();
    return { kind: 'entity', entity: walker.result() };
  } catch (error) {
    await walker.abort();
    if (error instanceof InMemoryNeeded) return { kind: 'in-memory', reason: error.reason };
    throw error;
  }
}

function resolveStreamLimits(overrides: Partial<StreamParseLimits> | undefined): StreamParseLimits {
  return resolveParseLimits({ ...DEFAULT_STREAM_PARSE_LIMITS, ...overrides }) as StreamParseLimits;
}
