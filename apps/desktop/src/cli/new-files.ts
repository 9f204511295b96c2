// Writes a set of new output files all or nothing. Every path is checked before the first is
// written. When a write fails, the files this call wrote and the folder it created are removed
// again, so a half-written set never outlives the command.

import { existsSync, mkdirSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CoreError } from '../core/errors.ts';

export interface NewFile {
  path: string;
  data: string | Uint8Array;
  /** The kind of file named in error messages, for example "backup file". */
  description: string;
}

/**
 * Raises INVALID_ARGUMENT when `folder` is a file or any of `paths` exists, so a command can
 * reject its output paths before it prompts for a passphrase. `existingAdvice` is the next step
 * shown when a path already exists.
 */
export function checkNewPaths(
  paths: readonly string[],
  existingAdvice: string,
  folder?: string,
): void {
  if (folder !== undefined && existsSync(folder) && !statSync(folder).isDirectory()) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `${folder} is a file, not a folder; give a folder for the output files.`,
    );
  }
  for (const file of paths) {
    if (existsSync(file)) {
      throw new CoreError('INVALID_ARGUMENT', `${file} already exists; ${existingAdvice}`);
    }
  }
}

/**
 * Creates `folder` (if given and missing) and writes each file with mode 0600, never replacing
 * an existing file. On any failure the files written so far are removed and INVALID_ARGUMENT
 * names the path that failed.
 */
export function writeNewFiles(
  files: readonly NewFile[],
  existingAdvice: string,
  folder?: string,
): void {
  checkNewPaths(
    files.map((file) => file.path),
    existingAdvice,
    folder,
  );

  const createdFolder = folder !== undefined && !existsSync(folder) ? folder : null;
  const written: string[] = [];
  try {
    if (createdFolder !== null) mkdirSync(createdFolder, { recursive: true, mode: 0o700 });
    for (const file of files) {
      writeFileSync(file.path, file.data, { mode: 0o600, flag: 'wx' });
      written.push(file.path);
    }
  } catch (error) {
    for (const file of written) unlinkSync(file);
    if (createdFolder !== null) removeEmptyFolder(createdFolder);
    const failed = files[written.length];
    if (failed === undefined) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `Cannot create the folder ${folder}: ${(error as Error).message}; nothing was written, so choose a folder you can write to.`,
        { cause: error },
      );
    }
    throw writeFailure(error, failed.path, failed.description, 'nothing was written, so ');
  }
}

/**
 * Builds the INVALID_ARGUMENT error for a failed write of `file`. A missing folder is named
 * as such, because the raw ENOENT message does not say which part of the path is missing.
 * `prefix` goes before the advice, for example "nothing was written, so ".
 */
export function writeFailure(
  error: unknown,
  file: string,
  description: string,
  prefix = '',
): CoreError {
  const folder = path.dirname(file);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new CoreError(
      'INVALID_ARGUMENT',
      `Cannot write the ${description} ${file}, because the folder ${folder} does not exist; ${prefix}create the folder first or choose a path in a folder that exists.`,
      { cause: error },
    );
  }
  return new CoreError(
    'INVALID_ARGUMENT',
    `Cannot write the ${description} ${file}: ${(error as Error).message}; ${prefix}choose a path in a folder that exists and that you can write to.`,
    { cause: error },
  );
}

/** Removes `folder` if it is empty; a folder that contains other files is kept. */
function removeEmptyFolder(folder: string): void {
  try {
    rmdirSync(folder);
  } catch {
    // Not empty or already gone: keep whatever is there.
  }
}
