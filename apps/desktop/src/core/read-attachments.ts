// Large attachments of a read message, kept out of memory. Each one is decoded into an
// encrypted file of the data folder (folder "attachments"), written by MessageFiles: AES-256-GCM
// records under a random key that is held only in the ReadResult. The reader of the result
// deletes the files with releaseAttachments. Files left by a process that died before that are
// deleted by removeStaleAttachmentFiles, which every read through the spool runs first.

import path from 'node:path';
import type { Store } from '@sealpost/storage';
import type { AttachmentSink, OpenAttachmentSink } from '@sealpost/mail-transport';
import { CoreError } from './errors.ts';
import { MessageFiles, type EncryptedMessageFile } from './message-files.ts';

/** An attachment's decoded bytes in an encrypted temporary file. The key belongs to the holder. */
export interface StoredAttachment {
  files: MessageFiles;
  file: EncryptedMessageFile;
}

/** An attachment whose bytes are in memory (`content`) or in a temporary file (`stored`). */
export interface AttachmentBytes {
  content: Uint8Array | null;
  stored: StoredAttachment | null;
}

/**
 * Returns the folder of temporary attachment files next to the store's database, or null for a
 * store in memory, whose messages are then read into memory whole.
 */
export function attachmentFilesOf(store: Store): MessageFiles | null {
  if (store.path === ':memory:') return null;
  return new MessageFiles(path.join(path.dirname(store.path), 'attachments'));
}

/** Deletes attachment files older than ORPHAN_AGE_MS; no file outlives a read by that long. */
export async function removeStaleAttachmentFiles(files: MessageFiles): Promise<string[]> {
  return files.removeOrphans(new Set());
}

/**
 * Returns the sink opener for parseEntityStream: each sink encrypts into a new file. Every
 * completed file is appended to `created`, so the caller can delete them all on a failure.
 */
export function attachmentSinks(
  files: MessageFiles,
  created: StoredAttachment[],
): OpenAttachmentSink<StoredAttachment> {
  return async (): Promise<AttachmentSink<StoredAttachment>> => {
    const channel = new ChunkChannel();
    const writing = files.write(channel);
    // Rejects when the write fails and never settles otherwise, so a push that races it does
    // not wait for a writer that has stopped.
    const failed = writing.then(() => new Promise<never>(() => undefined));
    failed.catch(() => undefined);
    return {
      write: (chunk) => Promise.race([channel.push(chunk), failed]),
      end: async () => {
        channel.end();
        const stored = { files, file: await writing };
        created.push(stored);
        return stored;
      },
      abort: async () => {
        channel.fail(new Error('the attachment was discarded because reading the message failed'));
        await writing.catch(() => undefined);
      },
    };
  };
}

/** Yields an attachment's decoded bytes, from memory or from its file, in chunks. */
export async function* attachmentChunks(attachment: AttachmentBytes): AsyncGenerator<Uint8Array> {
  if (attachment.content !== null) {
    yield attachment.content;
    return;
  }
  if (attachment.stored === null) {
    throw new CoreError('INVALID_ARGUMENT', 'The attachment has neither content nor a file.');
  }
  try {
    yield* attachment.stored.files.read(attachment.stored.file);
  } catch (error) {
    if (!(error instanceof CoreError) || error.code !== 'MESSAGE_FILE_DAMAGED') throw error;
    throw new CoreError(
      'MESSAGE_FILE_DAMAGED',
      `The temporary file ${attachment.stored.file.name} of a large attachment was changed or deleted; read the message again.`,
      { cause: error },
    );
  }
}

/**
 * Returns an attachment's decoded bytes in one buffer. Raises MESSAGE_TOO_LARGE, naming the
 * CLI command that saves it as a stream, when it has more than `maxBytes`.
 */
export async function attachmentBytes(
  attachment: AttachmentBytes & { filename: string; size: number },
  maxBytes: number,
): Promise<Uint8Array> {
  if (attachment.content !== null) return attachment.content;
  if (attachment.size > maxBytes) {
    throw new CoreError(
      'MESSAGE_TOO_LARGE',
      `The attachment ${attachment.filename} has ${attachment.size} bytes, more than the ${maxBytes} that can be opened here. ` +
        'Save it with "sealpost read ID --save-attachments FOLDER".',
    );
  }
  const parts: Buffer[] = [];
  for await (const part of attachmentChunks(attachment)) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

/** Deletes the temporary files of `attachments` and wipes their keys. Safe to call twice. */
export function releaseAttachments(
  attachments: ReadonlyArray<{ stored: StoredAttachment | null }>,
): void {
  for (const attachment of attachments) {
    const stored = attachment.stored;
    if (stored === null) continue;
    stored.files.remove(stored.file.name);
    stored.file.key.fill(0);
  }
}

/**
 * Hands chunks from a writer that pushes to MessageFiles.write, which pulls. A push resolves
 * once the previous chunk was taken, so at most one chunk waits.
 */
class ChunkChannel implements AsyncIterable<Uint8Array> {
  #chunk: Uint8Array | null = null;
  #ended = false;
  #error: Error | null = null;
  #wakeReader: (() => void) | null = null;
  #wakeWriter: (() => void) | null = null;

  async push(chunk: Uint8Array): Promise<void> {
    while (this.#chunk !== null) {
      await new Promise<void>((resolve) => (this.#wakeWriter = resolve));
    }
    this.#chunk = chunk;
    this.#notifyReader();
  }

  end(): void {
    this.#ended = true;
    this.#notifyReader();
  }

  fail(error: Error): void {
    this.#error = error;
    this.#ended = true;
    this.#notifyReader();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.#error !== null) throw this.#error;
      if (this.#chunk !== null) {
        const chunk = this.#chunk;
        this.#chunk = null;
        const wake = this.#wakeWriter;
        this.#wakeWriter = null;
        wake?.();
        yield chunk;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wakeReader = resolve));
    }
  }

  #notifyReader(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = null;
    wake?.();
  }
}
