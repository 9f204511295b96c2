// Decryption of large encrypted mail through crypto-core's streaming API (decryptToSpool), so
// openpgp.js keeps one chunk at a time instead of several copies of the whole message. The
// plaintext waits in an encrypted spool file until the MDC and signatures are checked. Only
// then is the MIME payload parsed as a stream from the spool, with large attachments decoded
// into encrypted files (read-attachments.ts). The spool is deleted before this returns.

import { decryptToSpool } from '@sealpost/crypto-core';
import type {
  DecryptAndVerifyOptions,
  DecryptedWith,
  DecryptionResult,
  SignatureResult,
  VerifiedSpool,
} from '@sealpost/crypto-core';
import { parseEntityStream, type StreamedEntity } from '@sealpost/mail-transport';
import type { MessageFiles } from './message-files.ts';
import {
  attachmentSinks,
  releaseAttachments,
  removeStaleAttachmentFiles,
  type StoredAttachment,
} from './read-attachments.ts';

/**
 * Armored messages above this many bytes are decrypted by streaming. Smaller ones go through
 * the buffered decryptAndVerify, whose peak memory is a few times the message size.
 */
export const STREAMING_DECRYPT_MIN_BYTES = 8 * 1024 * 1024;

/** Size of the slices of the armored text handed to the stream. */
const SLICE_BYTES = 1024 * 1024;

/** The verified payload, parsed from the spool (`entity`) or read into memory whole (`data`). */
export type SpooledPayload =
  { entity: StreamedEntity<StoredAttachment>; data: null } | { entity: null; data: Uint8Array };

/** The checks of a spooled decryption and what `consume` made of the verified spool. */
export interface SpooledDecryption<T> {
  decryptedWith: DecryptedWith;
  signatures: SignatureResult[];
  content: T;
}

type SpoolConsumer<T> = (spool: VerifiedSpool) => Promise<T>;

/** Returns true when `message` is large enough to be decrypted by streaming. */
export function isLargeMessage(message: DecryptAndVerifyOptions['message']): boolean {
  return message.length > STREAMING_DECRYPT_MIN_BYTES;
}

/**
 * Decrypts and verifies an armored or binary message through an encrypted spool and hands the
 * verified spool to `consume`. A failed integrity check raises DECRYPT_FAILED before `consume`
 * runs, so nothing of the plaintext is released.
 */
export async function openLargeMessage<T>(
  options: DecryptAndVerifyOptions,
  consume: SpoolConsumer<T>,
): Promise<SpooledDecryption<T>> {
  const { message, ...rest } = options;
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return decryptThroughSpool(
    { ...rest, message: slices(bytes), format: typeof message === 'string' ? 'armored' : 'binary' },
    consume,
  );
}

/**
 * Decrypts and verifies an armored message read from `message` as it arrives, for a message
 * that is too large to hold as a string (a message file). Raises like openLargeMessage.
 */
export async function openArmoredStream<T>(
  options: Omit<DecryptAndVerifyOptions, 'message'> & { message: AsyncIterable<Uint8Array> },
  consume: SpoolConsumer<T>,
): Promise<SpooledDecryption<T>> {
  return decryptThroughSpool({ ...options, format: 'armored' }, consume);
}

/** Returns the same result as decryptAndVerify, with the whole plaintext in memory. */
export async function decryptLargeMessage(
  options: DecryptAndVerifyOptions,
): Promise<DecryptionResult> {
  return asDecryptionResult(await openLargeMessage(options, readWhole));
}

/** Returns the same result as decryptAndVerify for a streamed armored message. */
export async function decryptArmoredStream(
  options: Omit<DecryptAndVerifyOptions, 'message'> & { message: AsyncIterable<Uint8Array> },
): Promise<DecryptionResult> {
  return asDecryptionResult(await openArmoredStream(options, readWhole));
}

/**
 * Parses the verified PGP/MIME payload in `spool` as a stream, with large attachments in files
 * of `files`. Without a folder (a store in memory) the payload is read into memory whole. On a
 * failure every attachment file written so far is deleted.
 */
export async function readSpooledPayload(
  spool: VerifiedSpool,
  files: MessageFiles | null,
): Promise<SpooledPayload> {
  if (files === null) return { entity: null, data: await readWhole(spool) };
  await removeStaleAttachmentFiles(files);

  const created: StoredAttachment[] = [];
  try {
    const result = await parseEntityStream(spool.read(), {
      openSink: attachmentSinks(files, created),
    });
    if (result.kind === 'entity') return { entity: result.entity, data: null };
  } catch (error) {
    releaseAttachments(created.map((stored) => ({ stored })));
    throw error;
  }
  releaseAttachments(created.map((stored) => ({ stored })));
  // NOTE: a PGP/MIME multipart/signed inside the encryption is verified over its exact bytes, so
  // such a payload, like one with more text than fits the limit, is read into memory whole.
  return { entity: null, data: await readWhole(spool) };
}

async function decryptThroughSpool<T>(
  options: Parameters<typeof decryptToSpool>[0],
  consume: SpoolConsumer<T>,
): Promise<SpooledDecryption<T>> {
  const spool = await decryptToSpool(options);
  try {
    const content = await consume(spool);
    return { decryptedWith: spool.decryptedWith, signatures: spool.signatures, content };
  } finally {
    await spool.dispose();
  }
}

async function readWhole(spool: VerifiedSpool): Promise<Uint8Array> {
  const data = new Uint8Array(spool.size);
  let offset = 0;
  for await (const part of spool.read()) {
    data.set(part, offset);
    offset += part.length;
  }
  return data;
}

function asDecryptionResult(decryption: SpooledDecryption<Uint8Array>): DecryptionResult {
  const { decryptedWith, signatures, content } = decryption;
  return { data: content, decryptedWith, signatures };
}

async function* slices(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += SLICE_BYTES) {
    yield bytes.subarray(offset, offset + SLICE_BYTES);
  }
}
