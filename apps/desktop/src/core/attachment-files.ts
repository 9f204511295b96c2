// Attachments given as files (SendInput.attachmentFiles) and the one size threshold that
// decides how a message is built. From this many bytes of file attachments on, an OpenPGP-mode
// message signed with a disk key is streamed into an outbox file (streamed-send.ts). Below it,
// and in the other modes, the files are read into memory and the message is built as before.

import { readFile } from 'node:fs/promises';
import type { AttachmentInput, FileAttachmentInput } from '@sealpost/mail-transport';
import { CoreError } from './errors.ts';

/** File attachments of at least this many bytes in total are streamed. */
export const STREAMED_SEND_MIN_BYTES = 8 * 1024 * 1024;

/** Returns the total length in bytes of the file attachments. */
export function attachmentFileBytes(files: readonly FileAttachmentInput[] | undefined): number {
  return (files ?? []).reduce((sum, file) => sum + file.size, 0);
}

/** Reads file attachments into memory, checking that each still has its recorded length. */
export async function readAttachmentFiles(
  files: readonly FileAttachmentInput[] | undefined,
): Promise<AttachmentInput[]> {
  const read: AttachmentInput[] = [];
  for (const file of files ?? []) {
    const content = await readFile(file.path).catch((error: unknown) => {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `Cannot read the attachment file ${file.path}: ${(error as Error).message}; check the path.`,
        { cause: error },
      );
    });
    if (content.length !== file.size) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `The attachment file ${file.path} changed: it has ${content.length} bytes, not ${file.size}. Nothing was sent; send it again.`,
      );
    }
    read.push({ filename: file.filename, contentType: file.contentType, content });
  }
  return read;
}
