// PIN prompt of the `sealpost` command for OpenPGP card operations: from a file named by a
// flag (for scripts) or from the terminal with echo off. A PIN from a file is sent once; after
// a wrong one the prompt cancels, so a script never burns the card's remaining tries.
import type { PinPrompt, PinRequest } from '../core/hardware/card-pin.ts';
import { promptSecret, readSecretFile } from './secrets.ts';

export interface CardPinFiles {
  /** File with the user PIN (PW1). */
  userPinFile?: string;
  /** File with the admin PIN (PW3). */
  adminPinFile?: string;
}

export function terminalPinPrompt(files: CardPinFiles): PinPrompt {
  const used = new Set<string>();
  return async (request: PinRequest) => {
    if (request.previousError) process.stderr.write(`${request.previousError}\n`);
    const file = request.kind === 'admin' ? files.adminPinFile : files.userPinFile;
    if (file) {
      if (used.has(request.kind)) return null;
      used.add(request.kind);
      return readSecretFile(file, `card ${request.kind} PIN`);
    }
    const flag = request.kind === 'admin' ? '--admin-pin-file' : '--card-pin-file';
    const tries = `${request.retriesLeft} ${request.retriesLeft === 1 ? 'try' : 'tries'} left`;
    const answer = await promptSecret(
      `Card ${request.serial}: ${request.kind} PIN to ${request.operation} (${tries}): `,
      flag,
    );
    return answer === '' ? null : answer;
  };
}
