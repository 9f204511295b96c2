// Writes the file of an --output option. Secret output (a secret key or a revocation
// certificate) goes only to a new file with mode 0600, because writing into an existing file
// keeps that file's mode, and a 0644 file would leave the secret readable by every user.

import { writeFileSync } from 'node:fs';
import { checkNewPaths, writeFailure, writeNewFiles } from './new-files.ts';

/** The advice shown when secret output would replace an existing file. */
const EXISTING_FILE_ADVICE = 'choose a new file name.';

/**
 * Raises INVALID_ARGUMENT when secret output would go to an existing file, so the command
 * stops before it prompts for a passphrase. Public output may replace a file.
 */
export function checkOutputFile(file: string, secret: boolean): void {
  if (secret) checkNewPaths([file], EXISTING_FILE_ADVICE);
}

/**
 * Writes `data` to `file`. Secret output must go to a new file (mode 0600). Public output
 * replaces an existing file and gets mode 0644 when the file is new. Raises INVALID_ARGUMENT
 * naming the file, and the folder when it is missing.
 */
export function writeOutputFile(
  file: string,
  data: string | Uint8Array,
  description: string,
  secret: boolean,
): void {
  if (secret) {
    writeNewFiles([{ path: file, data, description }], EXISTING_FILE_ADVICE);
    return;
  }
  try {
    writeFileSync(file, data, { mode: 0o644 });
  } catch (error) {
    throw writeFailure(error, file, description);
  }
}
