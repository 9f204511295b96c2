// Turns the file name of a received attachment into a safe name in the --save-attachments
// folder. The name comes from the sender, so it must not leave the folder, hide the file or
// exceed the file system's limit on one name.

import path from 'node:path';
import { terminalLine } from './terminal-text.ts';

/** Maximum bytes of one file name: NAME_MAX of common Linux file systems such as ext4. */
export const MAX_FILE_NAME_BYTES = 255;

/** A longer "extension" is treated as part of the name, so it cannot use up the whole limit. */
const MAX_EXTENSION_BYTES = 32;

/** Name parts: the stem is shortened to fit, the extension is kept. */
export interface NameParts {
  stem: string;
  extension: string;
}

/**
 * Splits the sender's file name into a safe stem and extension. Only the base name is used, so
 * a crafted name cannot write outside the folder. "." and ".." become "attachment", and a
 * leading "." gets a "_" in front so the file is not hidden.
 */
export function attachmentNameParts(filename: string | null | undefined): NameParts {
  let name = path.basename(terminalLine(filename));
  if (name === '' || name === '.' || name === '..') name = 'attachment';
  if (name.startsWith('.')) name = `_${name}`;
  let extension = path.extname(name);
  if (Buffer.byteLength(extension) > MAX_EXTENSION_BYTES) extension = '';
  const stem = name.slice(0, name.length - extension.length);
  return { stem, extension };
}

/**
 * Returns the candidate name for the attempt-th try: "report.pdf", then "report (2).pdf" and
 * so on, with the stem shortened so the whole name fits MAX_FILE_NAME_BYTES in UTF-8.
 */
export function candidateName(parts: NameParts, attempt: number): string {
  const suffix = attempt === 1 ? '' : ` (${attempt})`;
  const room = MAX_FILE_NAME_BYTES - Buffer.byteLength(`${suffix}${parts.extension}`);
  return `${truncateUtf8(parts.stem, room)}${suffix}${parts.extension}`;
}

/** Shortens `text` to at most `maxBytes` UTF-8 bytes without splitting a code point. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let result = '';
  for (const character of text) {
    bytes += Buffer.byteLength(character);
    if (bytes > maxBytes) break;
    result += character;
  }
  return result;
}
