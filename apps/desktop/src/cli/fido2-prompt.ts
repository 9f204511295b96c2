// Terminal prompts of FIDO2 operations in the `sealpost` command. The security key's PIN comes
// from --fido2-pin-file or the terminal (echo off). The request for a touch goes to standard
// error once per command, so standard output stays clean for scripts.
import type { Command } from 'commander';
import type { Fido2Interaction } from '../core/hardware/fido2-unlock.ts';
import { promptSecret, readSecretFile } from './secrets.ts';

export interface Fido2GlobalOptions {
  fido2PinFile?: string;
  fido2RecoveryCodeFile?: string;
}

/** Builds the PIN and touch prompts from the command's global options. */
export function terminalFido2Interaction(command: Command): Fido2Interaction {
  const pinFile = command.optsWithGlobals<Fido2GlobalOptions>().fido2PinFile;
  let touchPrompted = false;
  return {
    requestPin: async () => {
      if (pinFile) return readSecretFile(pinFile, 'security key PIN');
      if (!process.stdin.isTTY) return null;
      const answer = await promptSecret('Security key PIN (empty if it has none): ');
      return answer === '' ? null : answer;
    },
    onTouchNeeded: () => {
      if (touchPrompted) return;
      touchPrompted = true;
      process.stderr.write('Touch your security key.\n');
    },
  };
}

/** Reads the recovery code of a folder that requires its FIDO2 key, when the flag is given. */
export function fido2RecoveryCode(command: Command): string | null {
  const file = command.optsWithGlobals<Fido2GlobalOptions>().fido2RecoveryCodeFile;
  return file ? readSecretFile(file, 'recovery code') : null;
}
