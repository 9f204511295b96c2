// Opens the core services for one CLI command. Every command unlocks the data folder's keys,
// because the database itself is encrypted: from the OS keychain without a prompt, or with
// the Sealpost passphrase where the folder uses the passphrase fallback. Closing the context
// wipes the keys and closes the database.

import type { Command } from 'commander';
import { CoreError } from '../core/errors.ts';
import { OsKeychain, probeKeychain } from '../core/keystore/keychain.ts';
import { dataFolderState } from '../core/keystore/open-keys.ts';
import type { KeyAccess } from '../core/keystore/open-keys.ts';
import { createLogger } from '../core/logger.ts';
import { ensureDataPaths, resolveDataPaths } from '../core/paths.ts';
import type { DataPaths } from '../core/paths.ts';
import { Sealpost } from '../core/sealpost.ts';
import { promptSecret, readSecretFile } from './secrets.ts';
import { terminalPinPrompt } from './card-pin-prompt.ts';
import { defaultFido2DeviceSource } from '../core/hardware/fido2-device.ts';
import { hasFido2Keys } from '../core/hardware/fido2-unlock.ts';
import { fido2RecoveryCode, terminalFido2Interaction } from './fido2-prompt.ts';

/** Secrets that unlocked the data folder for this command. */
export interface UnlockedWith {
  /** The Sealpost passphrase the user gave, or null for keychain and FIDO2 folders. */
  sealpostPassphrase: string | null;
}

/**
 * Runs `action` with an open Sealpost instance and always closes it afterwards. `unlock` is
 * kept for the commands' declarations; the keys are unlocked for every command. Only the audit
 * commands set `auditRecovery`, which opens a database that is older than its audit anchor.
 */
export async function withSealpost<T>(
  command: Command,
  options: { unlock: boolean; auditRecovery?: boolean },
  action: (sealpost: Sealpost, unlocked: UnlockedWith) => Promise<T>,
): Promise<T> {
  const paths = resolveDataPaths();
  ensureDataPaths(paths);
  const stateBeforeOpen = dataFolderState(paths);
  const access = await keyAccess(command, paths);
  const sealpost = await Sealpost.open(paths, createLogger(paths.logs), access, {
    auditRecovery: options.auditRecovery === true,
  }).catch((error: unknown) => {
    throw namePassphraseFile(error, command);
  });
  // Only a passphrase that opened a passphrase-mode folder is the Sealpost passphrase: a FIDO2
  // recovery code, or a --passphrase-file given to a keychain folder, is not.
  const unlocked: UnlockedWith = {
    sealpostPassphrase:
      typeof access.passphrase === 'string' &&
      (stateBeforeOpen === 'passphrase' ||
        stateBeforeOpen === 'scrypt-vault' ||
        (stateBeforeOpen === 'new' && access.preferPassphrase === true))
        ? access.passphrase
        : null,
  };
  for (const notice of sealpost.notices) process.stderr.write(`${notice}\n`);
  const cardPinFile = command.optsWithGlobals<{ cardPinFile?: string }>().cardPinFile;
  sealpost.cards.setPinPrompt(terminalPinPrompt({ userPinFile: cardPinFile }));
  try {
    return await action(sealpost, unlocked);
  } finally {
    sealpost.close();
  }
}

/**
 * Names the --passphrase-file in an INVALID_PASSPHRASE error. The core message asks the user to
 * enter the passphrase, but the command read it from that file.
 */
function namePassphraseFile(error: unknown, command: Command): unknown {
  const file = command.optsWithGlobals<{ passphraseFile?: string }>().passphraseFile;
  if (!file || !(error instanceof CoreError) || error.code !== 'INVALID_PASSPHRASE') return error;
  return new CoreError(
    error.code,
    `The passphrase in --passphrase-file ${file} does not unlock this data folder; put the Sealpost passphrase you chose at setup in ${file}.`,
    { cause: error },
  );
}

/**
 * Decides how to unlock: a --passphrase-file always supplies the passphrase (and sets up a new
 * folder with it instead of the keychain); otherwise the passphrase is asked for only when the
 * folder needs one.
 */
async function keyAccess(command: Command, paths: DataPaths): Promise<KeyAccess> {
  const file = command.optsWithGlobals<{ passphraseFile?: string }>().passphraseFile;
  if (file) {
    return { passphrase: readSecretFile(file, 'passphrase'), preferPassphrase: true };
  }

  const state = dataFolderState(paths);
  // With an enrolled FIDO2 key, a touch replaces the passphrase prompt (see applyFido2Policy).
  const fido2 = terminalFido2Interaction(command);
  if (state === 'fido2') {
    const recoveryCode = fido2RecoveryCode(command);
    return recoveryCode === null ? { fido2 } : { passphrase: recoveryCode };
  }
  if (
    state === 'passphrase' &&
    hasFido2Keys(paths) &&
    (await defaultFido2DeviceSource().isConnected())
  ) {
    return { fido2 };
  }
  if (state === 'passphrase' || state === 'scrypt-vault') {
    return { passphrase: await promptSecret('Sealpost passphrase: ') };
  }
  if (state === 'keychain') return { fido2 };

  // A new folder: the keychain is used when it works. Without one the passphrase is chosen
  // now, so it is asked for twice to catch a typo.
  const keychain = new OsKeychain();
  if (probeKeychain(keychain, 'probe') === null) return { keychain };
  process.stderr.write(
    'No OS keychain is available. Choose a Sealpost passphrase; it protects your keys and ' +
      'account passwords, and Sealpost asks for it each time it starts.\n',
  );
  const first = await promptSecret('New passphrase: ');
  const second = await promptSecret('Repeat the passphrase: ');
  if (first !== second) {
    throw new CoreError('INVALID_ARGUMENT', 'The two passphrases differ; run the command again.');
  }
  // The reason was just printed, so the keystore adds no second notice about the fallback.
  return { keychain: null, passphrase: first, preferPassphrase: true };
}

/** Prints `value` as indented JSON on standard output. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
