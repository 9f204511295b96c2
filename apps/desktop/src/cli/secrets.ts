// Reads secrets for the CLI: from a file named by a flag (for scripts) or from a prompt with
// echo turned off. Secrets are never taken from the command line, where `ps` would show them.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CoreError } from '../core/errors.ts';

/** Reads the first line of `file`, without its line ending. */
export function readSecretFile(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Cannot read the ${what} file ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const secret = text.split(/\r?\n/, 1)[0] ?? '';
  if (secret.length === 0) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `The ${what} file ${file} is empty; put the ${what} on its first line.`,
    );
  }
  return secret;
}

/** Prompts on the terminal without echoing the input; without a terminal, the error names `flag`. */
export async function promptSecret(question: string, flag = '--passphrase-file'): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CoreError(
      'PASSPHRASE_REQUIRED',
      `${question.replace(/:\s*$/, '')} is needed, but standard input is not a terminal; pass it with ${flag} FILE.`,
    );
  }

  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    process.stderr.write(question);
    muted = true;
    const answer = await new Promise<string>((resolve) => rl.question('', resolve));
    return answer;
  } finally {
    muted = false;
    process.stderr.write('\n');
    rl.close();
  }
}

/** Returns the secret from `file` when given, otherwise from a prompt. */
export async function obtainSecret(
  file: string | undefined,
  what: string,
  flag: string,
): Promise<string> {
  if (file) return readSecretFile(file, what);
  return promptSecret(`${what[0]!.toUpperCase()}${what.slice(1)}: `, flag);
}
