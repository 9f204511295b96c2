// Reads Shamir share files (share-N.txt from "key export --backup --shares") and combines them
// into the recovery code. Errors name the share's file, not only its position on the command
// line, and blank lines around the share text are ignored.

import { readFileSync } from 'node:fs';
import { CoreError } from '../core/errors.ts';
import { combineShares } from '../core/shamir.ts';

/** The eight signature bytes that start every PNG file (PNG specification, section 5.2). */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Returns the first non-blank line of a share file. */
export function readShareFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Cannot read the Shamir share file ${file}: ${(error as Error).message}; check the path.`,
      { cause: error },
    );
  }
  if (bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
    const textFile = /\.png$/i.test(file) ? file.replace(/\.png$/i, '.txt') : 'share-N.txt';
    throw new CoreError(
      'INVALID_ARGUMENT',
      `The Shamir share file ${file} is a PNG image (the QR code of a share); pass the matching text file ${textFile} instead, or the text the QR code contains saved to a file.`,
    );
  }
  const share = bytes
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => line.length > 0);
  if (share === undefined) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `The Shamir share file ${file} is empty; pass a share-N.txt file written by "sealpost key export --backup --shares".`,
    );
  }
  return share;
}

/** Combines the shares in `files`; an error about "share N" names the N-th file. */
export async function combineShareFiles(files: readonly string[]): Promise<string> {
  const texts = files.map(readShareFile);
  try {
    return await combineShares(texts);
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    const message = error.message.replace(
      /\b(share) (\d+)\b/gi,
      (match, word: string, n: string) => {
        const file = files[Number(n) - 1];
        return file === undefined ? match : `${word} ${n} (${file})`;
      },
    );
    throw new CoreError(error.code, message, { cause: error });
  }
}

/**
 * Rewrites the wrong-recovery-code error for a code combined from shares, because the user
 * wrote no code down and can only check which shares they passed.
 */
export function shareMismatchError(error: unknown): unknown {
  if (!(error instanceof CoreError) || error.code !== 'RECOVERY_CODE_INVALID') return error;
  return new CoreError(
    'RECOVERY_CODE_INVALID',
    'The recovery code combined from these shares does not decrypt this backup, or the file was altered; check that the shares and the backup file come from the same "key export --backup --shares" run.',
    { cause: error },
  );
}
