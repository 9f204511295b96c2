// Checks and reads the input of `sealpost send` before anything is encrypted: subject, body
// and attachment files. `send --dry-run` runs the same checks, so a plan that passes would
// not fail later on its input.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { FileAttachmentInput } from '@sealpost/mail-transport';
import path from 'node:path';
import { CoreError } from '../core/errors.ts';
import { guessContentType } from './content-type.ts';

/**
 * Maximum subject length in characters. RFC 5322 section 2.1.1 limits lines, not the folded
 * Subject field, so this is Sealpost's own choice: far above any real subject, and short
 * enough that a list of messages stays readable.
 */
export const MAX_SUBJECT_CHARACTERS = 2000;

// C0 controls (including CR, LF and TAB), DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Rejects a subject with control characters or more than MAX_SUBJECT_CHARACTERS characters. */
export function checkSubject(subject: string): void {
  const control = CONTROL_CHARACTER.exec(subject);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw new CoreError(
      'INVALID_ARGUMENT',
      `The subject contains the control character U+${code.toUpperCase()} at position ${control.index + 1}; write the subject on one line without control characters.`,
    );
  }
  const length = [...subject].length;
  if (length > MAX_SUBJECT_CHARACTERS) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `The subject has ${length} characters; shorten it to at most ${MAX_SUBJECT_CHARACTERS} and put the rest in the message text.`,
    );
  }
}

/**
 * Opens every attachment file and records its length, so a missing or unreadable one fails
 * before the message is built. The core reads the content when it builds the message.
 */
export function readAttachments(files: string[]): FileAttachmentInput[] {
  return files.map((file) => ({
    filename: path.basename(file),
    contentType: guessContentType(file),
    path: path.resolve(file),
    size: regularFileSize(file),
  }));
}

function regularFileSize(file: string): number {
  let descriptor: number | null = null;
  try {
    descriptor = openSync(file, 'r');
    const info = fstatSync(descriptor);
    if (!info.isFile()) throw new Error('it is not a regular file');
    return info.size;
  } catch (error) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Cannot read the attachment file ${file}: ${(error as Error).message}; check the path (relative paths start from the current directory).`,
      { cause: error },
    );
  } finally {
    if (descriptor !== null) closeSync(descriptor);
  }
}

/**
 * Decodes a message body. Without `charset` the bytes must be valid UTF-8: invalid bytes are
 * rejected instead of being replaced by U+FFFD, which would change the text silently.
 */
export function decodeBody(bytes: Uint8Array, source: string, charset?: string): string {
  if (charset !== undefined) {
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(charset, { fatal: true });
    } catch (error) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `--body-charset ${charset} is not a known character encoding; use a WHATWG encoding label such as utf-8, iso-8859-1 or windows-1252.`,
        { cause: error },
      );
    }
    return decodeOrThrow(decoder, bytes, source, `is not valid ${charset}`);
  }
  return decodeOrThrow(
    new TextDecoder('utf-8', { fatal: true }),
    bytes,
    source,
    'is not valid UTF-8',
  );
}

function decodeOrThrow(
  decoder: TextDecoder,
  bytes: Uint8Array,
  source: string,
  problem: string,
): string {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `The message text in ${source} ${problem}; convert it to UTF-8 (for example iconv -f ISO-8859-1 -t UTF-8), or name its encoding with --body-charset, for example --body-charset iso-8859-1.`,
      { cause: error },
    );
  }
}

/**
 * Maximum size of a --body-file. The whole text is read into memory, so this
 * limit keeps a huge file from exhausting memory. Large
 * content belongs in an attachment, which is streamed.
 */
export const MAX_BODY_FILE_BYTES = 64 * 1024 * 1024;

/** Reads a --body-file, which must be a regular file of at most MAX_BODY_FILE_BYTES. */
export function readBodyFile(file: string): Buffer {
  let descriptor: number | null = null;
  try {
    descriptor = openSync(file, 'r');
    const info = fstatSync(descriptor);
    if (!info.isFile()) throw new Error('it is not a regular file');
    if (info.size > MAX_BODY_FILE_BYTES) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `The body file ${file} has ${info.size} bytes, more than the limit of ${MAX_BODY_FILE_BYTES} bytes (64 MiB); send large content as an attachment with --attach ${file} and a short text.`,
      );
    }
    return readExactly(descriptor, info.size);
  } catch (error) {
    if (error instanceof CoreError) throw error;
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Cannot read the body file ${file}: ${(error as Error).message}; check the path (relative paths start from the current directory).`,
      { cause: error },
    );
  } finally {
    if (descriptor !== null) closeSync(descriptor);
  }
}

/** Reads up to `size` bytes, the length fstat gave, so a file that grows meanwhile stays bounded. */
function readExactly(descriptor: number, size: number): Buffer {
  const buffer = Buffer.alloc(size);
  let offset = 0;
  while (offset < size) {
    const count = readSync(descriptor, buffer, offset, size - offset, null);
    if (count === 0) break;
    offset += count;
  }
  return buffer.subarray(0, offset);
}
