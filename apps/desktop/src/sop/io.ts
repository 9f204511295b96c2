// Input and output of sealpost-sop: standard input, files named on the command line, and the
// special designators of the SOP draft ("@ENV:NAME" for an environment variable, "@FD:N" for
// an open file descriptor). Outputs named by an option are never overwritten (OUTPUT_EXISTS).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SopError } from './errors.ts';

/** The inputs of one run: standard input, working directory and environment variables. */
export interface SopContext {
  readStdin(): Promise<Uint8Array>;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Reads a KEYS, CERTS, SIGNATURES or PASSWORD argument. */
export function readIndirect(context: SopContext, designator: string, label: string): Uint8Array {
  if (designator.startsWith('@ENV:')) {
    const name = designator.slice('@ENV:'.length);
    const value = context.env[name];
    if (value === undefined) {
      throw new SopError('MISSING_INPUT', `${label}: the environment variable ${name} is not set.`);
    }
    return new TextEncoder().encode(value);
  }
  if (designator.startsWith('@FD:')) {
    return readFile(Number.parseInt(designator.slice('@FD:'.length), 10), designator, label);
  }
  if (designator.startsWith('@')) {
    throw new SopError(
      'UNSUPPORTED_SPECIAL_PREFIX',
      `${label}: ${designator} uses an unknown special prefix; use a file name, @ENV:NAME or @FD:N.`,
    );
  }
  return readFile(resolve(context.cwd, designator), designator, label);
}

/** Reads a password argument as UTF-8 text; the caller tries it with and without trailing space. */
export function readPassword(context: SopContext, designator: string, label: string): string {
  const bytes = readIndirect(context, designator, label);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new SopError(
      'PASSWORD_NOT_HUMAN_READABLE',
      `${label} ${designator} is not UTF-8 text; pass a human-readable password.`,
      { cause: error },
    );
  }
}

/** Writes an output named by an option (such as --verifications-out); it must not exist yet. */
export function writeOutput(context: SopContext, designator: string, data: string): void {
  if (designator.startsWith('@FD:')) {
    writeFileSync(Number.parseInt(designator.slice('@FD:'.length), 10), data);
    return;
  }
  if (designator.startsWith('@')) {
    throw new SopError(
      'UNSUPPORTED_SPECIAL_PREFIX',
      `${designator} uses an unknown special prefix for an output; use a file name or @FD:N.`,
    );
  }
  try {
    writeFileSync(resolve(context.cwd, designator), data, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SopError(
        'OUTPUT_EXISTS',
        `The output file ${designator} exists already; remove it or name another file.`,
      );
    }
    throw error;
  }
}

function readFile(path: string | number, designator: string, label: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new SopError(
      'MISSING_INPUT',
      `${label} ${designator} could not be read (${(error as Error).message}).`,
      { cause: error },
    );
  }
}
